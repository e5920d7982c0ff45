# Reference values for the Fine-Gray model with SEs clustered by matched
# set (or any cluster), and the cause-specific Cox models with robust SEs
# clustered the same way (src/engine/competing/finegray.rs, sandwich.rs,
# models.rs; tests/reference_finegray_cluster.rs).
# Run from this folder: Rscript finegray_cluster.R
#   -> finegray_cluster.json, ../data/example-study-matched-competing.csv,
#      ../data/finegray_pairs.csv
# (reads ../data/example-study.csv).
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11, MatchIt 4.5.1 (Debian 12).
#
# cmprsk::crr has no cluster option. The clustered variance is that of
# Zhou B, Fine J, Latouche A, Labopin M (2012), Competing risks regression
# for clustered data, Biostatistics 13(3):371-383 (R package crrSC,
# function crrc; not installed here: its C code crrvvoo was read, not
# copied): crr's sandwich I^-1 B I^-1 (Fine & Gray 1999, JASA 94:496,
# section 3) with the meat B = sum over clusters of the outer product of
# the cluster's sum of the patients' influence terms eta_i + psi_i, the
# censoring distribution G still the Kaplan-Meier of every patient (one
# G, crr's single cengroup), and no small-sample factor (no n/(n-1) nor
# m/(m-1): crrc has none). With one patient per cluster it is crr's var.
#
# This script writes eta_i and psi_i explicitly (below, `fg_at`), checks
# them WITHOUT clusters against crr's own var at crr's estimate (to 1e-8
# relative, stop() otherwise; also crr's loglik, score and information),
# then refines crr's estimate by Newton's method on the same explicit
# score and information (crr stops at gtol = 1e-8, about 2e-7 from the
# optimum) so the coefficients can be compared at 1e-8, and computes both
# variances there.
#
# Cause-specific Cox: coxph(Surv(time, status == k) ~ X, cluster = set)
# (Efron ties): the model-based SE and the robust SE clustered by set
# (Lin & Wei 1989), the CI and P from the robust one as summary.coxph.
suppressPackageStartupMessages({
  library(jsonlite); library(survival); library(cmprsk); library(MatchIt)
})

# ---- Data -------------------------------------------------------------
# The example study matched 1:1 on seed marking (nearest neighbour on the
# propensity score of age, subtype, cT, cN; MatchIt's defaults), every
# patient kept, the matched set empty for the unmatched: the model on the
# matched cohort leaves the unmatched out (counted). Recurrence as in
# competing.R: local (1) or distant (2), distant for every third patient
# number among those with an IDFS event.
e <- read.csv("../data/example-study.csv")
num <- as.integer(sub("^P", "", e$id))
e$recurrence <- ifelse(e$idfs_event == 0, "none",
                       ifelse(num %% 3 == 0, "distant", "local"))
e$seed <- as.integer(e$seed_marking == "Yes")
mm <- matchit(seed ~ age + subtype + ct + cn, data = e, method = "nearest",
              ratio = 1)
md <- match.data(mm)
e$matched_set <- NA
e$matched_set[match(md$id, e$id)] <- as.integer(as.character(md$subclass))
write.csv(e[, c("id", "age", "seed_marking", "subtype", "idfs_months",
                "recurrence", "matched_set")],
          "../data/example-study-matched-competing.csv", row.names = FALSE,
          na = "")

# Pairs: 40 pairs sharing a frailty (so that the clustered SE differs),
# times on 1..10 with events, competing events and censorings tied,
# status 9 censored too, three pairs' set missing (those patients are
# left out), and an id (a cluster of one per patient).
set.seed(1812)
np <- 40
pair <- rep(seq_len(np), each = 2)
frail <- rnorm(np)[pair]
n <- 2 * np
u <- runif(n)
pairs <- data.frame(
  id = sprintf("C%02d", seq_len(n)),
  pair = pair,
  time = pmin(10, 1 + rpois(n, exp(1 + 0.5 * frail))),
  status = ifelse(u < 0.55 * plogis(1.5 * frail), 1,
                  ifelse(u < 0.75, 2, ifelse(u < 0.92, 0, 9))),
  x = round(rnorm(n) + 0.7 * frail, 2),
  g = sample(c("a", "b", "c"), n, replace = TRUE))
pairs$pair[c(5, 38, 71)] <- NA
write.csv(pairs, "../data/finegray_pairs.csv", row.names = FALSE, na = "")

# ---- Fine & Gray (1999) section 3, written out ------------------------
# G(t-): the Kaplan-Meier of the censoring distribution (the censored
# patients its events; at a time with events and censorings the patients
# with an event are at risk of censoring), just before t; at t = 0, G(0).
g_minus <- function(t, code) {
  cens <- code == 0
  uc <- sort(unique(t[cens]))
  y <- vapply(uc, function(v) sum(t >= v), 0)
  cc <- vapply(uc, function(v) sum(t == v & cens), 0)
  after <- cumprod(1 - cc / y)
  vapply(t, function(s) {
    k <- if (s == 0) sum(uc <= 0) else sum(uc < s)
    if (k == 0) 1 else after[k]
  }, 0)
}

# At beta: the log pseudo-likelihood, score, information and each
# patient's influence term eta_i + psi_i. Events k of interest at s_k
# (ties as Breslow: each event its own risk set, the same at a tie);
# w_j(s) = 1 while T_j >= s, G(s-)/G(T_j-) after a competing event at
# T_j < s, else 0; S0, xbar = S1/S0 over w_j(s) e^(x_j b).
#   eta_i = d_i (x_i - xbar(T_i)) - sum_k w_i(s_k) e^(x_i b)
#           (x_i - xbar(s_k)) / S0(s_k)
#   q(u)  = sum_{k: s_k >= u} sum_{j competing, T_j < u}
#           e^(x_j b) G(s_k-)/G(T_j-) (x_j - xbar(s_k)) / S0(s_k)
#   psi_i = c_i q(T_i)/Y(T_i) - sum_{censored j, T_j <= T_i} q(T_j)/Y(T_j)^2
# with Y(u) the patients with T >= u and c_i = 1 for a censored patient.
fg_at <- function(t, code, X, b, G) {
  n <- length(t); p <- ncol(X)
  ev <- which(code == 1); K <- length(ev)
  r <- as.vector(exp(X %*% b))
  W <- outer(t[ev], t, function(s, tj) as.numeric(tj >= s))
  comp <- outer(t[ev], t, function(s, tj) tj < s) &
    matrix(code == 2, K, n, byrow = TRUE)
  W[comp] <- outer(G[ev], G, "/")[comp]
  A <- sweep(W, 2, r, "*")
  S0 <- rowSums(A)
  xbar <- (A %*% X) / S0
  info <- matrix(0, p, p)
  for (k in seq_len(K)) {
    D <- sweep(X, 2, xbar[k, ])
    info <- info + crossprod(D, D * A[k, ]) / S0[k]
  }
  B <- A / S0
  eta <- -(X * colSums(B) - t(B) %*% xbar)
  eta[ev, ] <- eta[ev, ] + X[ev, , drop = FALSE] - xbar
  cens <- which(code == 0)
  Y <- vapply(t, function(v) sum(t >= v), 0)
  q <- matrix(0, n, p)
  for (i in cens) {
    ks <- which(t[ev] >= t[i])
    js <- which(code == 2 & t < t[i])
    if (length(ks) > 0 && length(js) > 0) {
      M <- outer(G[ev[ks]], r[js] / G[js])
      q[i, ] <- colSums((M %*% X[js, , drop = FALSE] -
                         rowSums(M) * xbar[ks, , drop = FALSE]) / S0[ks])
    }
  }
  psi <- matrix(0, n, p)
  psi[cens, ] <- q[cens, , drop = FALSE] / Y[cens]
  for (i in seq_len(n)) {
    js <- cens[t[cens] <= t[i]]
    if (length(js) > 0)
      psi[i, ] <- psi[i, ] - colSums(q[js, , drop = FALSE] / Y[js]^2)
  }
  list(loglik = sum(log(r[ev])) - sum(log(S0)),
       score = colSums(X[ev, , drop = FALSE] - xbar), info = info,
       infl = eta + psi)
}

# I^-1 (sum over clusters of U_g U_g^T) I^-1, U_g the cluster's sum of
# eta_i + psi_i (Zhou et al. 2012; one cluster per patient: crr's var).
sandwich <- function(f, cluster) {
  inv <- solve(f$info)
  inv %*% crossprod(rowsum(f$infl, cluster)) %*% inv
}

rel <- function(a, b) max(abs(a - b)) / max(abs(b))

# ---- One case ---------------------------------------------------------
case <- function(name, file, d, time, status, event, competing, vars,
                 cluster, factors = list()) {
  for (f in names(factors)) d[[f]] <- factor(d[[f]], levels = factors[[f]])
  keep <- complete.cases(d[, c(time, status, vars, cluster)])
  d <- d[keep, ]
  s <- as.character(d[[status]])
  code <- ifelse(s == event, 1, ifelse(s %in% competing, 2, 0))
  X <- model.matrix(as.formula(paste("~", paste(vars, collapse = "+"))),
                    data = d)[, -1, drop = FALSE]
  t <- d[[time]]
  cl <- d[[cluster]]
  G <- g_minus(t, code)
  # G as crr evaluates it: survfit of the censorings at t (1 - eps).
  o <- order(t)
  sg <- summary(survfit(Surv(t, code == 0) ~ 1),
                times = sort(t * (1 - .Machine$double.eps)))$surv
  if (rel(G[o], sg) > 1e-13) stop(name, ": G differs from crr's")
  fit <- crr(t, code, cov1 = X, failcode = 1, cencode = 0,
             gtol = 1e-8, maxiter = 100)
  stopifnot(fit$converged)
  # The explicit formulas at crr's estimate, without clusters, are crr's.
  at <- fg_at(t, code, X, fit$coef, G)
  checks <- c(var = rel(sandwich(at, seq_along(t)), fit$var),
              info = rel(at$info, fit$inf),
              loglik = rel(at$loglik, fit$loglik))
  if (any(checks > 1e-8)) stop(name, ": not crr's: ", toString(checks))
  if (max(abs(at$score - fit$score)) > 1e-8 * max(1, abs(fit$score)))
    stop(name, ": score not crr's")
  # Newton on the explicit score from crr's estimate, to the optimum.
  b <- fit$coef
  for (it in 1:50) {
    step <- solve(at$info, at$score)
    b <- b + step
    at <- fg_at(t, code, X, b, G)
    if (max(abs(step)) < 1e-13 * max(1, abs(b))) break
  }
  if (max(abs(step)) >= 1e-13 * max(1, abs(b))) stop(name, ": no optimum")
  if (rel(b, fit$coef) > 1e-5) stop(name, ": far from crr's estimate")
  v1 <- sandwich(at, seq_along(t))
  vc <- sandwich(at, cl)
  # One cluster per patient is exactly the unclustered variance.
  if (rel(sandwich(at, sample(seq_along(t))), v1) > 1e-12)
    stop(name, ": singleton clusters differ")
  se <- sqrt(diag(vc))
  z <- qnorm(0.975)
  fg <- list(terms = colnames(X), coef = unname(b), se = unname(se),
             se_unclustered = unname(sqrt(diag(v1))),
             naive_se = unname(sqrt(diag(solve(at$info)))),
             z = unname(b / se), p = unname(2 * pnorm(-abs(b / se))),
             shr = unname(exp(b)), lower = unname(exp(b - z * se)),
             upper = unname(exp(b + z * se)), loglik = at$loglik,
             crr_coef = unname(fit$coef),
             crr_se = unname(sqrt(diag(fit$var))),
             clusters = length(unique(cl)), n = length(t),
             events = sum(code == 1), competing = sum(code == 2),
             censored = sum(code == 0))
  causes <- c(event, competing)
  cox <- lapply(seq_along(causes), function(k) {
    ev <- s == causes[k]
    cf <- coxph(Surv(t, ev) ~ X, ties = "efron", cluster = cl,
                control = coxph.control(eps = 1e-11, iter.max = 100))
    sm <- summary(cf)$coefficients
    ci <- summary(cf)$conf.int
    list(cause = causes[k], events = sum(ev), terms = colnames(X),
         coef = unname(coef(cf)), se = unname(sm[, "se(coef)"]),
         robust_se = unname(sm[, "robust se"]),
         p = unname(sm[, "Pr(>|z|)"]), hr = unname(exp(coef(cf))),
         lower = unname(ci[, "lower .95"]), upper = unname(ci[, "upper .95"]))
  })
  list(name = name, file = file, time = time, status = status, event = event,
       competing = competing, vars = vars, categorical = names(factors),
       cluster = cluster, n = nrow(d), dropped = sum(!keep), finegray = fg,
       cox = cox)
}

cases <- list(
  case("matched", "example-study-matched-competing.csv", e, "idfs_months",
       "recurrence", "local", "distant", c("seed_marking", "subtype", "age"),
       "matched_set",
       list(seed_marking = c("No", "Yes"),
            subtype = c("HER2+", "HR+/HER2-", "TNBC"))),
  case("matched_distant", "example-study-matched-competing.csv", e,
       "idfs_months", "recurrence", "distant", "local",
       c("seed_marking", "age"), "matched_set",
       list(seed_marking = c("No", "Yes"))),
  case("pairs", "finegray_pairs.csv", pairs, "time", "status", "1", "2",
       c("x", "g"), "pair", list(g = c("a", "b", "c"))),
  case("pairs_singletons", "finegray_pairs.csv", pairs, "time", "status",
       "1", "2", c("x", "g"), "id", list(g = c("a", "b", "c")))
)

out <- list(
  r = R.version.string,
  survival = as.character(packageVersion("survival")),
  cmprsk = as.character(packageVersion("cmprsk")),
  matchit = as.character(packageVersion("MatchIt")),
  cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null",
                  pretty = FALSE), "finegray_cluster.json")
