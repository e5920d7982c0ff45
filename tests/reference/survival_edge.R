# Reference values for the edge cases of src/engine/survival
# (tests/reference_survival_edge.rs), issue 13: a censoring at the first
# time, a curve reaching 0 at its last time, events coded 0/1/2 and 1/2,
# numeric group/strata/cluster columns, Cox with missing values and a
# cluster (concordance SE, robust score and Wald tests, patients dropped).
# Run from this folder: Rscript survival_edge.R
#   -> survival_edge.json and ../data/survival_edge.csv
# R 4.2.2, survival 3.5-3 (Debian 12).
#
# One rule differs between survival versions: where the survival is 1 (no
# event yet, SE 0), survival 3.5-3 gives NA for the log-log bounds and
# survival >= 3.8 gives 1 (survfit_confint: "use p if se = 0"). CohortLab
# follows 3.5-3, the version in Debian 12 that the reference tests use.
# The median and its CI are the same under both (quantile.survfit drops
# missing bounds, and a bound of 1 adds nothing).
suppressPackageStartupMessages({ library(jsonlite); library(survival) })

set.seed(13)
n <- 120
d <- data.frame(id = 1:n, grp = rep(1:2, each = n / 2))
d$time <- round(rexp(n, 1 / 30)) + 1
d$status012 <- sample(0:2, n, TRUE, prob = c(0.35, 0.45, 0.2))
# Each group's earliest time is a censoring (alone at that time).
for (g in 1:2) {
  k <- which(d$grp == g)[1]
  d$time[k] <- 0.5
  d$status012[k] <- 0
}
d$grade <- sample(1:3, n, TRUE)
d$centre <- sample(c(3, 5, 11, 12, 20, 31, 40, 41), n, TRUE)
d$age <- round(rnorm(n, 60, 10))
d$age[c(4, 17, 50, 77, 101)] <- NA
d$centre[c(9, 88)] <- NA
# R's Surv() convention for 1/2 codes: 2 = event.
d$status12 <- ifelse(d$status012 == 1, 2, 1)
# A second follow-up whose curve reaches 0 at each group's last time:
# events before 15, censored from 15 on, the last patient an event.
d$time_z <- d$time
d$event_z <- as.integer(d$status012 == 1 & d$time < 15)
for (g in 1:2) {
  k <- which(d$grp == g)
  last <- k[which.max(d$time[k])]
  d$time_z[last] <- max(d$time[k]) + 0.5
  d$event_z[last] <- 1
}
# 15 blocks of 8 patients: more than 10 strata, where R's concordance
# switches to its (start, stop] form.
d$block <- (d$id - 1) %/% 8
write.csv(d, "../data/survival_edge.csv", row.names = FALSE, na = "")

km <- function(name, time, status, group, ctype, event = status) {
  fit <- survfit(Surv(time, status) ~ group, conf.type = ctype)
  s <- summary(fit, censored = TRUE)
  q <- quantile(fit, 0.5)
  # Median follow-up: reverse Kaplan-Meier, on the same CI scale.
  fu <- survfit(Surv(time, !event) ~ 1, conf.type = ctype)
  qf <- quantile(fu, 0.5)
  list(name = name, ctype = ctype, groups = sub("^group=", "", names(fit$strata)),
       strata = sub("^group=", "", as.character(s$strata)), time = s$time,
       n_risk = s$n.risk, surv = s$surv, std_err = s$std.err,
       lower = s$lower, upper = s$upper,
       median = unname(q$quantile[, 1]), median_lower = unname(q$lower[, 1]),
       median_upper = unname(q$upper[, 1]),
       follow_up = unname(c(qf$quantile, qf$lower, qf$upper)))
}
km_cases <- list()
for (ct in c("log", "log-log", "plain")) {
  km_cases[[length(km_cases) + 1]] <- km(paste0("censor_first_", ct), d$time, d$status012 == 1, d$grp, ct)
  km_cases[[length(km_cases) + 1]] <- km(paste0("reach_zero_", ct), d$time_z, d$event_z == 1, d$grp, ct)
  km_cases[[length(km_cases) + 1]] <- km(paste0("competing_", ct), d$time, d$status012 == 2, d$grade, ct)
}
km_cases[[length(km_cases) + 1]] <- km("codes_12", d$time, d$status12, d$grp, "log", d$status12 == 2)

lr <- function(name, formula) {
  x <- survdiff(formula, data = d)
  list(name = name, chisq = x$chisq, p = pchisq(x$chisq, length(x$n) - 1, lower.tail = FALSE))
}
lr_cases <- list(
  lr("grp", Surv(time, status012 == 1) ~ grp),
  lr("grade", Surv(time, status012 == 1) ~ grade),
  lr("grp_strata_grade", Surv(time, status012 == 1) ~ grp + strata(grade)),
  lr("grp_strata_centre", Surv(time, status012 == 1) ~ grp + strata(centre))
)

cox <- function(name, formula, cluster = FALSE) {
  ctl <- coxph.control(eps = 1e-12, iter.max = 50)
  m <- if (cluster) coxph(formula, data = d, cluster = centre, control = ctl)
       else coxph(formula, data = d, control = ctl)
  s <- summary(m)
  naive <- if (cluster) m$naive.var else vcov(m)
  list(name = name, terms = names(coef(m)), coef = unname(coef(m)),
       se = unname(sqrt(diag(naive))), n = m$n, nevent = m$nevent,
       dropped = length(m$na.action),
       concordance = unname(s$concordance[1]), concordance_se = unname(s$concordance[2]),
       score = unname(m$score),
       robust_se = if (cluster) unname(sqrt(diag(m$var))) else NULL,
       robust_wald = if (cluster) unname(m$wald.test) else NULL,
       robust_wald_p = if (cluster) unname(s$waldtest["pvalue"]) else NULL,
       robust_score = if (cluster) unname(s$robscore["test"]) else NULL,
       robust_score_p = if (cluster) unname(s$robscore["pvalue"]) else NULL)
}
cox_cases <- list(
  cox("event1_age_grade", Surv(time, status012 == 1) ~ age + factor(grade)),
  cox("event2_grp", Surv(time, status012 == 2) ~ grp),
  cox("strata_grade", Surv(time, status012 == 1) ~ age + grp + strata(grade)),
  cox("strata_blocks", Surv(time, status012 == 1) ~ age + grp + strata(block)),
  cox("cluster_centre", Surv(time, status012 == 1) ~ age + grp, cluster = TRUE),
  cox("cluster_centre_grade", Surv(time, status012 == 1) ~ age + factor(grade), cluster = TRUE)
)
write_json(list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
                km = km_cases, logrank = lr_cases, cox = cox_cases),
           "survival_edge.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
