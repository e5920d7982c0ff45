# Reference propensity-score weights, weighted balance and weighted outcomes
# for src/engine/weighting (tests/reference_weighting.rs).
# Run from this folder: Rscript weighting.R  -> weighting.json
# (and ../data/lalonde_outcome.csv: lalonde.csv plus re78_pos = re78 > 0).
# R 4.2.2, survey 4.1.1 (Debian 12). WeightIt and cobalt are not in Debian:
# their rules are written out below, with where they come from.
suppressPackageStartupMessages({ library(jsonlite); library(survey) })
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

# --- Weights: WeightIt's get_w_from_ps() for a binary treatment
# (WeightIt R/get_w_from_ps.R; Li, Morgan & Zaslavsky 2018 for ATO;
# Li & Greene 2013 for ATM).
weights_of <- function(ps, z, estimand) {
  switch(estimand,
         ate = ifelse(z == 1, 1 / ps, 1 / (1 - ps)),
         att = ifelse(z == 1, 1, ps / (1 - ps)),
         ato = ifelse(z == 1, 1 - ps, ps),
         atm = ifelse(z == 1, pmin(ps, 1 - ps) / ps, pmin(ps, 1 - ps) / (1 - ps)))
}
# stabilize = TRUE (WeightIt stabilize_w(), ATE only): times the proportion
# of the patients in the group received.
stabilize <- function(w, z) w * ifelse(z == 1, mean(z == 1), mean(z == 0))
# trim(at = p) (WeightIt R/trim.R, .trim_weights with at < 1, lower = FALSE):
# weights above their quantile(type = 3) at max(p, 1 - p) are set to it; the
# focal group of the ATT (the treated) is not truncated, the other estimands
# pool both groups.
truncate <- function(w, z, p, estimand) {
  p <- max(p, 1 - p)
  pick <- if (estimand == "att") z == 0 else rep(TRUE, length(w))
  q <- unname(quantile(w[pick], probs = p, type = 3))
  hit <- pick & w > q
  w[hit] <- q
  list(w = w, n = sum(hit))
}

# --- Balance: cobalt's bal.tab() statistics written out (cobalt R/utils.R
# col.w.v, R/functions_for_processing.R .s.d.denom_from_estimand /
# .compute_s.d.denom), with binary = "std" (binary covariates standardised
# too, as MatchIt). Denominator: pooled unweighted SD sqrt((s2t + s2c)/2) for
# the ATE, the treated group's unweighted SD for the ATT, the SD of the whole
# weighted sample ("weighted") for the ATO and ATM. Binary variances p(1-p);
# continuous ones n - 1 (unweighted) or sum w (x - m)^2 / (sum w - sum w^2 / sum w).
wvar <- function(x, w, binary) {
  w <- w / sum(w); m <- sum(w * x)
  if (binary) m * (1 - m) else sum(w * (x - m)^2) / (1 - sum(w^2))
}
ecdf_stats <- function(x, z, w) {
  v <- sort(unique(x))
  ft <- sapply(v, function(a) sum(w[z == 1 & x <= a]) / sum(w[z == 1]))
  fc <- sapply(v, function(a) sum(w[z == 0 & x <= a]) / sum(w[z == 0]))
  d <- abs(ft - fc)
  c(mean(d), max(d))
}
balance_row <- function(x, z, w, estimand, binary) {
  one <- rep(1, length(x))
  denom <- switch(estimand,
                  att = sqrt(wvar(x[z == 1], one[z == 1], binary)),
                  ate = sqrt((wvar(x[z == 1], one[z == 1], binary) +
                                wvar(x[z == 0], one[z == 0], binary)) / 2),
                  sqrt(wvar(x[w > 0], w[w > 0], binary)))
  side <- function(w) {
    t <- z == 1 & w > 0; c <- z == 0 & w > 0
    mt <- sum(w[t] * x[t]) / sum(w[t]); mc <- sum(w[c] * x[c]) / sum(w[c])
    e <- if (binary) c(abs(mt - mc), abs(mt - mc)) else ecdf_stats(x, z, w)
    list(mean_treated = mt, mean_control = mc, smd = (mt - mc) / denom,
         var_ratio = if (binary) NA else wvar(x[t], w[t], FALSE) / wvar(x[c], w[c], FALSE),
         ecdf_mean = e[1], ecdf_max = e[2])
  }
  list(denominator = denom, before = side(one), after = side(w))
}

# --- Outcomes: survey::svyglm with svydesign(ids = ~1, weights = ~w) on the
# patients with a positive weight; summary() P values and confint() limits
# (t with the design's residual df, n - 2).
outcome <- function(d, y, w, level) {
  d$y <- y; d$w <- w
  d <- d[d$w > 0 & !is.na(d$y), ]
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  fit <- function(family) {
    f <- svyglm(y ~ z, design = des, family = family, control = ctl)
    s <- summary(f)$coefficients
    ci <- confint(f, level = level)
    list(coef = unname(coef(f)["z"]), se = unname(s["z", 2]),
         lower = unname(ci["z", 1]), upper = unname(ci["z", 2]),
         p = unname(s["z", 4]), df = f$df.residual)
  }
  list(risk_treated = weighted.mean(d$y[d$z == 1], d$w[d$z == 1]),
       risk_control = weighted.mean(d$y[d$z == 0], d$w[d$z == 0]),
       n_treated = sum(d$z == 1), n_control = sum(d$z == 0),
       rd = fit(gaussian()), log_rr = fit(quasipoisson(link = "log")),
       log_or = fit(quasibinomial()))
}

run <- function(name, d, formula, estimand, stab = FALSE, trim = NA, trunc = NA,
                outcomes = character(), level = 0.95) {
  ps <- fitted(glm(formula, family = binomial, data = d, control = ctl))
  z <- d$z
  # Crump et al. (2009) trimming: patients with ps outside [q, 1 - q] are
  # dropped (weight 0); the model is not refitted.
  keep <- if (is.na(trim)) rep(TRUE, length(ps)) else ps >= trim & ps <= 1 - trim
  w <- rep(0, length(ps))
  w[keep] <- weights_of(ps[keep], z[keep], estimand)
  if (stab) w[keep] <- stabilize(w[keep], z[keep])
  n_trunc <- 0
  if (!is.na(trunc)) {
    t <- truncate(w[keep], z[keep], trunc, estimand)
    w[keep] <- t$w; n_trunc <- t$n
  }
  group <- function(g) {
    wg <- w[z == g & w > 0]
    list(n = length(wg), min = min(wg), max = max(wg), mean = mean(wg), sum = sum(wg),
         ess = sum(wg)^2 / sum(wg^2))
  }
  mm <- model.matrix(formula, d)[, -1, drop = FALSE]
  bal <- lapply(colnames(mm), function(v) {
    x <- mm[, v]
    c(list(term = v), balance_row(x, z, w, estimand, all(x %in% c(0, 1))))
  })
  list(name = name, estimand = estimand, stabilize = stab,
       trim = if (is.na(trim)) NULL else trim, truncate = if (is.na(trunc)) NULL else trunc,
       ids = d$id, ps = unname(ps), weights = unname(w),
       trimmed_treated = sum(!keep & z == 1), trimmed_control = sum(!keep & z == 0),
       truncated = n_trunc, treated = group(1), control = group(0), balance = bal,
       level = level,
       outcomes = lapply(outcomes, function(o) c(list(outcome = o), outcome(d, d[[o]], w, level))))
}

ll <- read.csv("../data/lalonde.csv")
ll$re78_pos <- as.integer(ll$re78 > 0)
write.csv(ll, "../data/lalonde_outcome.csv", row.names = FALSE)
ll$z <- ll$treat
f_ll <- z ~ age + educ + race + married + nodegree + re74 + re75

# The example study with its settings' matching model (histology's "Other"
# has no marked patient: scores near 0, weights near 0 or 1).
ex <- read.csv("../data/example-study.csv", check.names = FALSE)
ex$z <- as.integer(ex$seed_marking == "Yes")
ex$age_group <- factor(ifelse(ex$age <= 50, "≤ 50", "> 50"), levels = c("≤ 50", "> 50"))
ex$ki67_group <- factor(ifelse(ex$ki67 < 20, "< 20", "≥ 20"), levels = c("< 20", "≥ 20"))
ex$histology <- factor(ex$histology, levels = c("Ductal", "Lobular or mixed", "Other"))
ex$ct <- factor(ex$ct, levels = c("T1", "T2", "T3", "T4"))
ex$cn <- factor(ex$cn, levels = c("N0", "N1", "N2", "N3"))
for (v in c("menopausal", "subtype")) ex[[v]] <- factor(ex[[v]])
f_ex <- z ~ age_group + menopausal + histology + ki67_group + ct + cn + subtype

o_ll <- "re78_pos"; o_ex <- c("tpcr", "bpcr")
cases <- list(
  run("lalonde_ate", ll, f_ll, "ate", outcomes = o_ll),
  run("lalonde_att", ll, f_ll, "att", outcomes = o_ll),
  run("lalonde_ato", ll, f_ll, "ato", outcomes = o_ll, level = 0.9),
  run("lalonde_atm", ll, f_ll, "atm", outcomes = o_ll),
  run("lalonde_ate_stabilized", ll, f_ll, "ate", stab = TRUE, outcomes = o_ll),
  run("lalonde_ate_trim_0.05", ll, f_ll, "ate", trim = 0.05, outcomes = o_ll),
  run("lalonde_att_truncate_0.95", ll, f_ll, "att", trunc = 0.95, outcomes = o_ll),
  run("lalonde_ate_truncate_0.99", ll, f_ll, "ate", trunc = 0.99, outcomes = o_ll),
  run("example_ate", ex, f_ex, "ate", outcomes = o_ex),
  run("example_att", ex, f_ex, "att", outcomes = o_ex),
  run("example_ato", ex, f_ex, "ato", outcomes = o_ex),
  run("example_atm", ex, f_ex, "atm", outcomes = o_ex),
  run("example_ate_stabilized", ex, f_ex, "ate", stab = TRUE, outcomes = o_ex)
)
write_json(list(r_version = R.version.string, survey = as.character(packageVersion("survey")),
                cases = cases), "weighting.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
