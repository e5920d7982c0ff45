# Reference values for weighted survival (tests/reference_survival_weighted.rs):
# Kaplan-Meier with case weights (survfit(weights = )) and Cox with case
# weights and robust SEs (coxph(weights = , robust = TRUE)), with and
# without cluster, Efron and Breslow.
# Run from this folder: Rscript survival_weighted.R
#   -> survival_weighted.json and ../data/lung_weighted.csv
# R 4.2.2, survival 3.5-3 (Debian 12).
#
# The weights are inverse probability of treatment (ATE) weights, written
# out (Rosenbaum & Rubin 1983; Austin 2016 Stat Med 35:5642): the
# propensity score ps = P(sex = 2 | age, ph.ecog) from a logistic glm,
# w = 1/ps for sex 2, 1/(1 - ps) for sex 1. They are not whole numbers,
# so survfit makes the Kaplan-Meier variance robust (infinitesimal
# jackknife, one patient per cluster) by default; a second set of whole
# numbers (frequency weights) keeps Greenwood's variance.
suppressPackageStartupMessages({ library(jsonlite); library(survival) })

lung <- read.csv("../data/lung.csv")
lung <- lung[!is.na(lung$ph.ecog), ]
ps <- fitted(glm(I(sex == 2) ~ age + ph.ecog, binomial, lung,
                 control = glm.control(epsilon = 1e-14, maxit = 100)))
lung$w <- ifelse(lung$sex == 2, 1 / ps, 1 / (1 - ps))
lung$fw <- 1 + seq_len(nrow(lung)) %% 3
write.csv(lung, "../data/lung_weighted.csv", row.names = FALSE, na = "")
# Read back what was written (the file's digits are what the test reads).
lung <- read.csv("../data/lung_weighted.csv")

km <- function(name, data, weight, ctype, times) {
  data$wt <- data[[weight]]
  fit <- survfit(Surv(time, status) ~ sex, data = data, weights = wt, conf.type = ctype)
  s <- summary(fit, censored = TRUE)
  st <- summary(fit, times = times, extend = TRUE)
  q <- quantile(fit, 0.5)
  groups <- sub("^sex=", "", names(fit$strata))
  list(name = name, weights = weight, ctype = ctype, groups = groups,
       strata = sub("^sex=", "", as.character(s$strata)), time = s$time,
       n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper,
       at_strata = sub("^sex=", "", as.character(st$strata)), at_time = st$time,
       at_n_risk = st$n.risk, at_n_event = st$n.event, at_surv = st$surv,
       at_std_err = st$std.err, at_lower = st$lower, at_upper = st$upper,
       median = as.vector(q$quantile), median_lower = as.vector(q$lower),
       median_upper = as.vector(q$upper))
}
times <- c(90, 180, 365, 730)
km_cases <- list(
  km("ate_log", lung, "w", "log", times),
  km("ate_loglog", lung, "w", "log-log", times),
  km("ate_plain", lung, "w", "plain", times),
  km("frequency_log", lung, "fw", "log", times)
)
# Median follow-up: reverse Kaplan-Meier of all, weighted.
fu <- survfit(Surv(time, status == 1) ~ 1, data = lung, weights = w)
follow_up <- list(median = as.numeric(quantile(fu, 0.5)$quantile),
                  lower = as.numeric(quantile(fu, 0.5)$lower),
                  upper = as.numeric(quantile(fu, 0.5)$upper))

ctl <- coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 50)
cox <- function(name, formula, data, ties, cluster = NULL) {
  m <- if (is.null(cluster)) {
    coxph(formula, data = data, weights = w, ties = ties, robust = TRUE, control = ctl)
  } else {
    data$cl <- data[[cluster]]
    coxph(formula, data = data, weights = w, ties = ties, robust = TRUE, cluster = cl,
          control = ctl)
  }
  s <- summary(m)
  se <- sqrt(diag(m$naive.var)); rse <- sqrt(diag(m$var))
  z <- qnorm(0.975)
  list(name = name, ties = ties, cluster = cluster, terms = names(coef(m)),
       coef = unname(coef(m)), se = unname(se), robust_se = unname(rse),
       robust_p = unname(s$coefficients[, "Pr(>|z|)"]),
       lower = unname(exp(coef(m) - z * rse)), upper = unname(exp(coef(m) + z * rse)),
       loglik = m$loglik, lr = 2 * diff(m$loglik), score = unname(m$score),
       robust_wald = unname(m$wald.test), robust_score = as.numeric(m$rscore),
       robust_score_p = unname(s$robscore["pvalue"]),
       n = m$n, nevent = m$nevent,
       concordance = unname(m$concordance["concordance"]),
       concordance_se = unname(m$concordance["std"]))
}
lung$sex <- factor(lung$sex)
f <- Surv(time, status) ~ age + sex + ph.ecog
cox_cases <- list(
  cox("efron", f, lung, "efron"),
  cox("breslow", f, lung, "breslow"),
  cox("efron_cluster_inst", f, lung[!is.na(lung$inst), ], "efron", "inst"),
  cox("breslow_cluster_inst", f, lung[!is.na(lung$inst), ], "breslow", "inst"),
  cox("efron_strata", Surv(time, status) ~ age + ph.ecog + strata(sex), lung, "efron"),
  # The weighted comparison of the curves: the robust score test of sex.
  cox("sex_efron", Surv(time, status) ~ sex, lung, "efron")
)
# The example study: ATE weights of seed marking from a logistic glm,
# written (id, w) to ../data/example-study-weights.csv in the study's row
# order; weighted curves by marking and the weighted Cox model.
ex <- read.csv("../data/example-study.csv", check.names = FALSE)
eps <- fitted(glm(I(seed_marking == "Yes") ~ age + ki67 + ct + cn + subtype, binomial, ex,
                  control = glm.control(epsilon = 1e-14, maxit = 100)))
write.csv(data.frame(id = ex$id, w = ifelse(ex$seed_marking == "Yes", 1 / eps, 1 / (1 - eps))),
          "../data/example-study-weights.csv", row.names = FALSE)
ex$w <- read.csv("../data/example-study-weights.csv")$w
exfit <- survfit(Surv(idfs_months, idfs_event) ~ seed_marking, data = ex, weights = w)
exs <- summary(exfit, censored = TRUE)
exm <- coxph(Surv(idfs_months, idfs_event) ~ seed_marking + tpcr, data = ex, weights = w,
             robust = TRUE, control = ctl)
example <- list(
  km = list(strata = sub("^seed_marking=", "", as.character(exs$strata)), time = exs$time,
            n_risk = exs$n.risk, surv = exs$surv, std_err = exs$std.err,
            lower = exs$lower, upper = exs$upper),
  cox = list(terms = names(coef(exm)), coef = unname(coef(exm)),
             se = unname(sqrt(diag(exm$naive.var))), robust_se = unname(sqrt(diag(exm$var))),
             robust_score = as.numeric(exm$rscore), n = exm$n, nevent = exm$nevent,
             concordance = unname(exm$concordance["concordance"]),
             concordance_se = unname(exm$concordance["std"])))

write_json(list(km = km_cases, follow_up = follow_up, cox = cox_cases, example = example),
           "survival_weighted.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
