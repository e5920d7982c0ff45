# Reference values for the restricted mean survival time
# (src/engine/survival/rmst.rs, tests/reference_rmst.rs): per group the
# area under the Kaplan-Meier curve to tau and its SE as R survival's
# print(survfit(...), rmean = tau) computes them (summary(fit, rmean =
# tau)$table), and between two groups the difference (natural scale) and
# the ratio (log scale) with z-based CIs and P, and the default tau, by the
# published rules of survRM2 1.0-4 (Uno et al. 2014, JCO 32:2380; survRM2
# is not in Debian: its formulas are written out below, not called).
# Run from this folder: Rscript rmst.R -> rmst.json
# R 4.2.2, survival 3.5-3 (Debian 12).
#
# survRM2's rmst1 and survival's survmean compute the same area and the
# same Greenwood-based variance, sum_i hh_i * (area from t_i to tau)^2 with
# hh_i = d_i / (n_i (n_i - d_i)), and hh_i = 0 where n_i = d_i (the curve
# reaching 0), at ties too; they agree at every tau checked here.
suppressPackageStartupMessages({ library(jsonlite); library(survival) })

# survRM2's default tau and its limit (rmst2, "Details"): with x_g each
# group's largest time, tau = the largest x_g when the group with the
# smaller one ends with an event (all its patients at x_g had the event),
# else the smallest; a chosen tau may not pass that value.
tau_rule <- function(time, status, arm) {
  last <- sapply(split(seq_along(time), arm), function(k) {
    x <- max(time[k]); c(x, min(status[k][time[k] == x]))
  })
  ended_censored <- last[2, ] == 0
  if (any(ended_censored)) min(last[1, ended_censored]) else max(last[1, ])
}

rmst_group <- function(time, status, tau) {
  fit <- survfit(Surv(time, status) ~ 1)
  tab <- summary(fit, rmean = tau)$table
  c(rmst = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
}

case <- function(name, file, d, time, status, event_level, group, tau,
                 level = 0.95) {
  d <- d[!is.na(d[[time]]) & !is.na(d[[status]]) & !is.na(d[[group]]), ]
  tt <- d[[time]]; ev <- as.integer(d[[status]] == event_level)
  arm <- factor(d[[group]])
  limit <- tau_rule(tt, ev, arm)
  chosen <- !is.null(tau)
  if (!chosen) tau <- limit
  z <- qnorm(1 - (1 - level) / 2)
  g <- lapply(levels(arm), function(a) {
    r <- rmst_group(tt[arm == a], ev[arm == a], tau)
    list(group = a, rmst = r[["rmst"]], se = r[["se"]],
         lower = r[["rmst"]] - z * r[["se"]], upper = r[["rmst"]] + z * r[["se"]])
  })
  # Each group against the first (survRM2: arm 1 minus arm 0).
  contrasts <- lapply(seq_along(g)[-1], function(j) {
    a <- g[[j]]; b <- g[[1]]
    diff <- a$rmst - b$rmst; se <- sqrt(a$se^2 + b$se^2)
    lr <- log(a$rmst) - log(b$rmst)
    se_lr <- sqrt(a$se^2 / a$rmst^2 + b$se^2 / b$rmst^2)
    list(group = a$group, reference = b$group,
         difference = diff, difference_se = se,
         difference_lower = diff - z * se, difference_upper = diff + z * se,
         difference_p = 2 * pnorm(-abs(diff) / se),
         ratio = exp(lr), log_ratio_se = se_lr,
         ratio_lower = exp(lr - z * se_lr), ratio_upper = exp(lr + z * se_lr),
         ratio_p = 2 * pnorm(-abs(lr) / se_lr))
  })
  list(name = name, file = file, time = time, event = status,
       event_level = event_level, group = group,
       chosen = chosen, tau = tau, limit = limit, conf_level = level,
       groups = g, contrasts = contrasts)
}

# The event as the engine reads it: the column and its event's level
# (any other value censored).
l <- read.csv("../data/lung.csv")
m <- read.csv("../data/mgus2.csv")
e <- read.csv("../data/example-study.csv")
edge <- read.csv("../data/competing_edge.csv")

cases <- list(
  case("lung_sex_730", "lung.csv", l, "time", "status", "2", "sex", 730),
  case("lung_sex_default", "lung.csv", l, "time", "status", "2", "sex", NULL),
  case("lung_sex_365_90", "lung.csv", l, "time", "status", "2", "sex", 365, 0.9),
  case("lung_ecog_500", "lung.csv", l, "time", "status", "2", "ph.ecog", 500),
  # mgus2: progression, death without progression censored.
  case("mgus2_sex_default", "mgus2.csv", m, "etime", "event", "1", "sex", NULL),
  case("mgus2_sex_120", "mgus2.csv", m, "etime", "event", "1", "sex", 120),
  case("example_seed_60", "example-study.csv", e, "idfs_months", "idfs_event",
       "1", "seed_marking", 60),
  case("example_seed_default", "example-study.csv", e, "idfs_months",
       "idfs_event", "1", "seed_marking", NULL),
  # Group A ends with an event (its curve reaches 0 at 10), group B with a
  # censoring at 11: the default is 11 (survRM2's case 2), past A's end.
  case("edge_default", "competing_edge.csv", edge, "time", "status", "1",
       "grp", NULL),
  # Taus between the groups' times.
  case("edge_5_5", "competing_edge.csv", edge, "time", "status", "1", "grp", 5.5),
  case("edge_2_5", "competing_edge.csv", edge, "time", "status", "1", "grp", 2.5)
)
out <- list(r = R.version.string,
            survival = as.character(packageVersion("survival")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null",
                  pretty = TRUE), "rmst.json")
