// Installs the service worker (sw.js) that keeps the app's own files for
// offline use, and says when a new version is ready. The service worker
// caches only the app's files: patient files are read by the page from
// disk and never fetched, so it never sees them. Not used from file://.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator) || location.protocol === 'file:') return;

  function notice(registration) {
    if (document.getElementById('update-notice')) return;
    const bar = document.createElement('div');
    bar.id = 'update-notice';
    bar.setAttribute('role', 'status');
    bar.className = 'update-notice';
    bar.textContent = 'A new version of CohortLab is ready. ';
    const button = document.createElement('button');
    button.textContent = 'Reload to use it';
    button.addEventListener('click', function () {
      const waiting = registration.waiting;
      if (waiting) waiting.postMessage('skip-waiting');
      else location.reload();
    });
    bar.appendChild(button);
    document.body.appendChild(bar);
  }

  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', function () {
    // Only after the user asked for the new version.
    if (reloading || !document.getElementById('update-notice')) return;
    reloading = true;
    location.reload();
  });

  window.addEventListener('load', function () {
    navigator.serviceWorker.register('./sw.js').then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) notice(registration);
      registration.addEventListener('updatefound', function () {
        const installing = registration.installing;
        if (!installing) return;
        installing.addEventListener('statechange', function () {
          if (installing.state === 'installed' && navigator.serviceWorker.controller) notice(registration);
        });
      });
    }).catch(function () { /* the page works without it */ });
  });
})();
