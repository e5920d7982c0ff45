# Reference values for the Fine-Gray model and the cause-specific Cox
# models (src/engine/competing/finegray.rs, cause_cox.rs;
# tests/reference_finegray.rs, tests/cli_finegray.rs).
# Run from this folder: Rscript finegray.R
#   -> finegray.json, ../data/mgus2_hgb.csv, ../data/finegray_ties.csv
# (reads ../data/lung_competing.csv and ../data/example-study-competing.csv,
# written by competing.R).
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (Debian 12).
#
# Fine-Gray: cmprsk::crr (Fine & Gray 1999, JASA 94:496), the status
# recoded 1 = event of interest, 2 = competing (every named competing
# level), 0 = censored (every other level), so crr's cencode is the one
# censoring code; cov1 is the model matrix without intercept
# (model.matrix(~ ..., data)[, -1]), categorical covariates as factors with
# CohortLab's reference level; gtol = 1e-8, maxiter = 100 (crr's defaults,
# 1e-6 and 10, stop early; below 1e-8 the line search of crr finds no
# better point and reports no convergence, the estimates unchanged).
# The SE is sqrt(diag(fit$var)), crr's sandwich, and the interval
# exp(b -+ qnorm(0.975) se), as summary.crr.
# Cause-specific Cox: coxph(Surv(time, status == k) ~ X) per cause k
# (Efron ties), on the same complete cases.
suppressPackageStartupMessages({
  library(jsonlite); library(survival); library(cmprsk)
})

# ---- Data -------------------------------------------------------------
# mgus2 with haemoglobin (13 missing): progression (1) vs death (2).
m <- survival::mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)
write.csv(m[, c("id", "age", "sex", "hgb", "etime", "event")],
          "../data/mgus2_hgb.csv", row.names = FALSE, na = "")

l <- read.csv("../data/lung_competing.csv")
e <- read.csv("../data/example-study-competing.csv")

# Ties: 60 patients on 8 distinct times, each time with events of
# interest, competing events and censorings (status 9 is censored too,
# as a level named neither event nor competing), and a covariate x and a
# three-level group g.
set.seed(18)
n <- 60
ties <- data.frame(
  time = sample(1:8, n, replace = TRUE),
  status = sample(c(0, 1, 1, 2, 2, 9), n, replace = TRUE),
  x = round(rnorm(n), 2),
  g = sample(c("a", "b", "c"), n, replace = TRUE))
ties$status[1:24] <- rep(c(1, 2, 0), 8)
ties$time[1:24] <- rep(1:8, each = 3)
write.csv(ties, "../data/finegray_ties.csv", row.names = FALSE, na = "")

# ---- One case ---------------------------------------------------------
case <- function(name, file, d, time, status, event, competing, vars,
                 factors = list()) {
  for (f in names(factors)) d[[f]] <- factor(d[[f]], levels = factors[[f]])
  keep <- complete.cases(d[, c(time, status, vars)])
  d <- d[keep, ]
  s <- as.character(d[[status]])
  code <- ifelse(s == event, 1, ifelse(s %in% competing, 2, 0))
  X <- model.matrix(as.formula(paste("~", paste(vars, collapse = "+"))),
                    data = d)[, -1, drop = FALSE]
  t <- d[[time]]
  fit <- crr(t, code, cov1 = X, failcode = 1, cencode = 0,
             gtol = 1e-8, maxiter = 100)
  stopifnot(fit$converged)
  se <- sqrt(diag(fit$var))
  z <- qnorm(0.975)
  fg <- list(terms = colnames(X), coef = unname(fit$coef), se = unname(se),
             z = unname(fit$coef / se),
             p = unname(2 * pnorm(-abs(fit$coef / se))),
             shr = unname(exp(fit$coef)),
             lower = unname(exp(fit$coef - z * se)),
             upper = unname(exp(fit$coef + z * se)),
             naive_se = unname(sqrt(diag(fit$invinf))),
             loglik = fit$loglik, loglik_null = fit$loglik.null, n = fit$n,
             events = sum(code == 1), competing = sum(code == 2),
             censored = sum(code == 0))
  causes <- c(event, competing)
  cox <- lapply(seq_along(causes), function(k) {
    ev <- s == causes[k]
    cf <- coxph(Surv(t, ev) ~ X, ties = "efron",
                control = coxph.control(eps = 1e-11, iter.max = 100))
    sm <- summary(cf)$coefficients
    ci <- summary(cf)$conf.int
    list(cause = causes[k], events = sum(ev), terms = colnames(X),
         coef = unname(coef(cf)),
         se = unname(sm[, "se(coef)"]), p = unname(sm[, "Pr(>|z|)"]),
         hr = unname(exp(coef(cf))), lower = unname(ci[, "lower .95"]),
         upper = unname(ci[, "upper .95"]), loglik = cf$loglik)
  })
  list(name = name, file = file, time = time, status = status, event = event,
       competing = competing, vars = vars, categorical = names(factors),
       n = nrow(d), dropped = sum(!keep), finegray = fg, cox = cox)
}

cases <- list(
  case("mgus2", "mgus2_hgb.csv", m, "etime", "event", "1", "2",
       c("age", "sex", "hgb")),
  case("mgus2_death", "mgus2_hgb.csv", m, "etime", "event", "2", "1",
       c("age", "sex", "hgb")),
  case("lung", "lung_competing.csv", l, "time", "status012", "1", "2",
       c("age", "sex", "ph.ecog")),
  case("example", "example-study-competing.csv", e, "idfs_months",
       "recurrence", "local", "distant", c("seed_marking", "subtype"),
       list(seed_marking = c("No", "Yes"),
            subtype = c("HER2+", "HR+/HER2-", "TNBC"))),
  case("ties", "finegray_ties.csv", ties, "time", "status", "1", "2",
       c("x", "g"), list(g = c("a", "b", "c")))
)

out <- list(
  r = R.version.string,
  survival = as.character(packageVersion("survival")),
  cmprsk = as.character(packageVersion("cmprsk")),
  cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null",
                  pretty = FALSE), "finegray.json")
