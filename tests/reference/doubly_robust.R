# Reference doubly robust estimates for src/engine/weighting/doubly_robust.rs
# (tests/reference_doubly_robust.rs): the weighted outcome regression with
# the covariates, then the marginal risks by g-computation.
# Run from this folder: Rscript doubly_robust.R  -> doubly_robust.json
# R 4.2.2, survey 4.1.1 (Debian 12). WeightIt and marginaleffects are not
# in Debian: what their calls do is written out below, with where it comes
# from.
suppressPackageStartupMessages({ library(jsonlite); library(survey) })
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

# --- Weights: WeightIt's get_w_from_ps() for a binary treatment, as in
# weighting.R (Li, Morgan & Zaslavsky 2018 for ATO; Li & Greene 2013 for
# ATM); trimming (Crump et al. 2009) gives weight 0, the model not refitted.
weights_of <- function(ps, z, estimand) {
  switch(estimand,
         ate = ifelse(z == 1, 1 / ps, 1 / (1 - ps)),
         att = ifelse(z == 1, 1, ps / (1 - ps)),
         ato = ifelse(z == 1, 1 - ps, ps),
         atm = ifelse(z == 1, pmin(ps, 1 - ps) / ps, pmin(ps, 1 - ps) / (1 - ps)))
}

# --- The doubly robust estimate.
# 1. The outcome model: survey::svyglm(y ~ z + covariates, design =
#    svydesign(ids = ~1, weights = ~w, data = d[w > 0, ]), family =
#    quasibinomial()), patients without the outcome left out (na.action).
# 2. G-computation, as WeightIt's vignette "Estimating Effects After
#    Weighting" (Greifer; vignettes/estimating-effects.Rmd) does it with
#    marginaleffects::avg_comparisons(fit, variables = "z", ...): each
#    patient's predicted risk with z set to 1 and to 0, averaged over the
#    target population: the treated for the ATT (newdata = subset(z == 1)),
#    everybody otherwise; a plain mean for the ATE and ATT, the mean weighted
#    by the weights (wts = weights) for the ATO and ATM and whenever trimming
#    gave patients weight 0 (the vignette's "Weighting for estimands other
#    than the ATT, ATC, or ATE"). The patients averaged are those of the
#    model (marginaleffects' default newdata).
# 3. Delta method with vcov(fit) (the weights taken as fixed): the analytic
#    gradient of each mean risk, sum(v p (1 - p) x) / sum(v), in place of
#    marginaleffects' numerical one; RD = mu1 - mu0 and log RR =
#    log(mu1) - log(mu0) (comparison = "lnratioavg", transform = "exp");
#    intervals and P values with the normal quantile, as marginaleffects'
#    default (df = Inf).
# A level of a factor covariate (not its reference) whose patients all have
# the outcome, or none has it, separates: its coefficient has no finite
# maximum-likelihood estimate, and the fit tends to the limit in which
# those patients' predicted risk is 0 (or 1) whatever the group, the other
# coefficients being the fit without them and without that level. The
# reference is that limit: svyglm on the other patients, its variance
# rescaled to svyglm's n / (n - 1) with n counting every patient (their
# estimating functions are 0 at the limit). Where svyglm itself gets there
# (the ATE, whose weights of these patients are not near 0), the two are
# checked to agree.
separated <- function(d, covs) {
  out <- rep(FALSE, nrow(d)); value <- rep(NA_real_, nrow(d))
  for (v in covs) {
    if (!is.factor(d[[v]])) next
    for (l in levels(d[[v]])[-1]) {
      at <- d[[v]] == l
      if (any(at) && (all(d$y[at] == 0) || all(d$y[at] == 1))) {
        out[at] <- TRUE; value[at] <- d$y[at]
      }
    }
  }
  list(at = out, value = value)
}

svy_fit <- function(d, covs) {
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  form <- as.formula(paste("y ~ z +", paste(covs, collapse = " + ")))
  suppressWarnings(svyglm(form, design = des, family = quasibinomial(), control = ctl))
}

# The risk difference and log risk ratio of a fit (g-computation, delta
# method), the separated patients with their fixed risk.
dr_of <- function(d, fit, V, sep, estimand, trimmed, level) {
  n <- nrow(d); b <- coef(fit)
  X <- matrix(0, n, length(b), dimnames = list(NULL, names(b)))
  X[!sep$at, ] <- model.matrix(fit)
  target <- if (estimand == "att") d$z == 1 else rep(TRUE, n)
  v <- if (estimand %in% c("ato", "atm") || trimmed) d$w[target] else rep(1, sum(target))
  mean_risk <- function(a) {
    Xa <- X[target, , drop = FALSE]; Xa[, "z"] <- a
    pa <- plogis(drop(Xa %*% b))
    fixed <- sep$at[target]
    pa[fixed] <- sep$value[target][fixed]
    list(mu = sum(v * pa) / sum(v), grad = colSums(Xa * (v * pa * (1 - pa))) / sum(v))
  }
  r1 <- mean_risk(1); r0 <- mean_risk(0)
  q <- qnorm(1 - (1 - level) / 2)
  est <- function(value, grad) {
    se <- sqrt(drop(t(grad) %*% V %*% grad))
    list(value = value, se = se, lower = value - q * se, upper = value + q * se,
         p = 2 * pnorm(-abs(value / se)))
  }
  list(n_target = sum(target),
       weighted_average = estimand %in% c("ato", "atm") || trimmed,
       risk_treated = est(r1$mu, r1$grad), risk_control = est(r0$mu, r0$grad),
       rd = est(r1$mu - r0$mu, r1$grad - r0$grad),
       log_rr = est(log(r1$mu) - log(r0$mu), r1$grad / r1$mu - r0$grad / r0$mu))
}

dr <- function(d, y, w, covs, estimand, trimmed, level) {
  d$y <- y; d$w <- w
  d <- d[d$w > 0 & !is.na(d$y), ]
  n <- nrow(d)
  sep <- separated(d, covs)
  fit <- svy_fit(droplevels(d[!sep$at, ]), covs)
  m <- sum(!sep$at)
  V <- vcov(fit) * (n / (n - 1)) / (m / (m - 1))
  # svyglm's variance is the sandwich A^-1 B A^-1 with the estimating
  # functions w x (y - p) centred and n / (n - 1) (survey's svy.varcoef and
  # svyrecvar): HC0 times n / (n - 1). Checked here; svyglm's A comes from
  # glm's last IRLS step, a few 1e-8 (relative) from A at the optimum.
  X <- model.matrix(fit); p <- fitted(fit); e <- d[!sep$at, ]
  U <- X * (e$w * (e$y - p)); U <- sweep(U, 2, colMeans(U))
  Ainv <- solve(crossprod(X, X * (e$w * p * (1 - p))))
  stopifnot(isTRUE(all.equal(unname(vcov(fit)), Ainv %*% crossprod(U) %*% Ainv * m / (m - 1),
                             tolerance = 1e-6, check.attributes = FALSE)))
  out <- dr_of(d, fit, V, sep, estimand, trimmed, level)
  if (any(sep$at) && estimand == "ate") {
    full <- svy_fit(d, covs)
    whole <- dr_of(d, full, vcov(full), list(at = rep(FALSE, n)), estimand, trimmed, level)
    for (k in c("rd", "log_rr")) {
      stopifnot(isTRUE(all.equal(out[[k]]$value, whole[[k]]$value, tolerance = 1e-8)))
      stopifnot(isTRUE(all.equal(out[[k]]$se, whole[[k]]$se, tolerance = 1e-6)))
    }
  }
  # Each term's share of the weights: where it is near 0 (histology "Other"
  # under the ATT and ATO, weights of 1e-13 from scores that glm clamps at
  # 2.2e-16), the coefficient is fixed by rounding errors, in R as in any
  # program, and is not compared.
  share <- colSums((X != 0) * e$w) / sum(d$w)
  c(list(n = n, n_treated = sum(d$z == 1), n_control = sum(d$z == 0),
         events_treated = sum(d$y[d$z == 1]), events_control = sum(d$y[d$z == 0]),
         separated = sum(sep$at),
         terms = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(V))),
         share = unname(share)),
    out)
}

run <- function(name, d, treatment, covs, estimand, outcomes, trim = NA, level = 0.95) {
  f <- as.formula(paste("z ~", paste(covs, collapse = " + ")))
  # (histology "Other" has no marked patient: glm warns of fitted
  # probabilities of 0, as expected.)
  ps <- fitted(suppressWarnings(glm(f, family = binomial, data = d, control = ctl)))
  keep <- if (is.na(trim)) rep(TRUE, length(ps)) else ps >= trim & ps <= 1 - trim
  w <- rep(0, length(ps))
  w[keep] <- weights_of(ps[keep], d$z[keep], estimand)
  lapply(outcomes, function(o) {
    r <- dr(d, d[[o]], w, covs, estimand, !is.na(trim), level)
    r$terms[r$terms == "z"] <- treatment
    c(list(name = name, outcome = o, estimand = estimand,
           trim = if (is.na(trim)) NULL else trim, level = level), r)
  })
}

ll <- read.csv("../data/lalonde_outcome.csv")
ll$z <- ll$treat
ll$race <- factor(ll$race, levels = c("black", "hispan", "white"))
c_ll <- c("age", "educ", "race", "married", "nodegree", "re74", "re75")

# The example study: the matching's covariates and the three binary
# outcomes of its settings, levels in the example's order (its first level
# the reference). Histology "Other" has no marked patient and no tpCR: its
# coefficient in the tpcr model runs off (svyglm stops with it near -30 and
# fitted risks near 0).
ex <- read.csv("../data/example-study.csv", check.names = FALSE)
ex$z <- as.integer(ex$seed_marking == "Yes")
ex$age_group <- factor(ifelse(ex$age <= 50, "≤ 50", "> 50"), levels = c("≤ 50", "> 50"))
ex$ki67_group <- factor(ifelse(ex$ki67 < 20, "< 20", "≥ 20"), levels = c("< 20", "≥ 20"))
ex$menopausal <- factor(ex$menopausal, levels = c("Premenopausal", "Postmenopausal"))
ex$histology <- factor(ex$histology, levels = c("Ductal", "Lobular or mixed", "Other"))
ex$ct <- factor(ex$ct, levels = c("T1", "T2", "T3", "T4"))
ex$cn <- factor(ex$cn, levels = c("N0", "N1", "N2", "N3"))
ex$subtype <- factor(ex$subtype, levels = c("HR+/HER2-", "HER2+", "TNBC"))
c_ex <- c("age_group", "menopausal", "histology", "ki67_group", "ct", "cn", "subtype")
o_ex <- c("tpcr", "bpcr", "apcr")

cases <- c(
  run("lalonde_ate", ll, "treat", c_ll, "ate", "re78_pos"),
  run("lalonde_att", ll, "treat", c_ll, "att", "re78_pos"),
  run("lalonde_ato", ll, "treat", c_ll, "ato", "re78_pos", level = 0.9),
  run("lalonde_atm", ll, "treat", c_ll, "atm", "re78_pos"),
  run("lalonde_ate_trim_0.05", ll, "treat", c_ll, "ate", "re78_pos", trim = 0.05),
  run("example_ate", ex, "seed_marking", c_ex, "ate", o_ex),
  run("example_att", ex, "seed_marking", c_ex, "att", o_ex),
  run("example_ato", ex, "seed_marking", c_ex, "ato", o_ex),
  # Trimming at 0.05 leaves out every histology "Other" patient (scores near
  # 0): the level is dropped from the outcome model (droplevels).
  run("example_ate_trim_0.05", ex, "seed_marking", c_ex, "ate", o_ex, trim = 0.05)
)
write_json(list(r_version = R.version.string, survey = as.character(packageVersion("survey")),
                cases = cases), "doubly_robust.json", digits = NA, auto_unbox = TRUE,
           pretty = FALSE)
