# Reference weighted Table 1 for src/engine/table1 (table1_weighted) and
# src/engine/weighting (weighted_table1): tests/reference_table1_weighted.rs.
# Run from this folder: Rscript table1_weighted.R  -> table1_weighted.json
# (and ../data/lalonde_missing.csv: lalonde with missing values in two
# variables outside the propensity model).
# R 4.2.2, survey 4.1.1 (Debian 12).
#
# Statistics: the survey package on svydesign(ids = ~1, weights = ~w) of
# each group's patients with w > 0 (and of all of them for "overall"), as
# tableone's svyCreateTableOne computes them (tableone R/modules-svy.R):
# svytotal (sizes, levels), svymean (means, level proportions, na.rm),
# svyvar (variances: n/(n-1) sum w (x - m)^2 / sum w), and for the median
# and quartiles oldsvyquantile with its defaults (method = "linear",
# ties = "discrete"), the function tableone calls under survey >= 4.1.
# Missing values: counted, and their weights summed.
#
# Weights: WeightIt's get_w_from_ps() formulas, written out as in
# weighting.R (WeightIt is not in Debian), from glm's propensity score.
# SMD after weighting: cobalt's, as weighting.R writes it out (bal.tab with
# binary = "std"; denominator by estimand: pooled unweighted SD for the
# ATE, treated SD for the ATT, SD of the weighted sample for the ATO), on
# the patients with a value of the variable; a factor: the largest |SMD|
# over its levels. smd_tableone: tableone's weighted SMD (modules-smd.R):
# (m1 - m2)/sqrt((v1 + v2)/2) with svymean/svyvar, Yang & Dalton's with
# the weighted proportions for factors.
suppressPackageStartupMessages({ library(jsonlite); library(survey); library(MASS) })
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

weights_of <- function(ps, z, estimand) {
  switch(estimand,
         ate = ifelse(z == 1, 1 / ps, 1 / (1 - ps)),
         att = ifelse(z == 1, 1, ps / (1 - ps)),
         ato = ifelse(z == 1, 1 - ps, ps))
}
wvar <- function(x, w, binary) {
  w <- w / sum(w); m <- sum(w * x)
  if (binary) m * (1 - m) else sum(w * (x - m)^2) / (1 - sum(w^2))
}
smd_after <- function(x, z, w, estimand, binary) {
  one <- rep(1, length(x))
  denom <- switch(estimand,
                  att = sqrt(wvar(x[z == 1], one[z == 1], binary)),
                  ate = sqrt((wvar(x[z == 1], one[z == 1], binary) +
                                wvar(x[z == 0], one[z == 0], binary)) / 2),
                  sqrt(wvar(x[w > 0], w[w > 0], binary)))
  t <- z == 1 & w > 0; c <- z == 0 & w > 0
  (sum(w[t] * x[t]) / sum(w[t]) - sum(w[c] * x[c]) / sum(w[c])) / denom
}
smd_cat <- function(p1, p2) {
  keep <- which(p1 > 0 | p2 > 0); p1 <- p1[keep]; p2 <- p2[keep]
  if (length(p1) < 2) return(0)
  a <- p1[-1]; b <- p2[-1]
  S <- function(p) { m <- -outer(p, p); diag(m) <- p * (1 - p); m }
  d <- a - b
  sqrt(as.numeric(t(d) %*% ginv((S(a) + S(b)) / 2) %*% d))
}

# One column of the table (a group, or everyone): the survey statistics.
column <- function(d, v, levels) {
  x <- d[[v]]; miss <- is.na(x)
  if (!is.null(levels)) d$lv <- factor(x, levels = levels)
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  out <- list(n = nrow(d), missing = sum(miss), weighted_missing = sum(d$w[miss]))
  if (is.null(levels)) {
    f <- as.formula(paste0("~`", v, "`"))
    q <- oldsvyquantile(f, des, c(0.25, 0.5, 0.75), na.rm = TRUE)
    # svyvar's n is the number of patients with a value in survey >= 4.2
    # ("computes sample size 'n' in the same way for na.rm=TRUE as for a
    # domain", NEWS 4.2); 4.1.1 counted every patient. The design of the
    # patients with a value gives the current rule in both versions.
    has <- svydesign(ids = ~1, weights = ~w, data = d[!miss, ])
    c(out, list(mean = unname(coef(svymean(f, des, na.rm = TRUE))),
                var = unname(coef(svyvar(f, has)))[1],
                q1 = q[1], median = q[2], q3 = q[3]))
  } else {
    tot <- unname(coef(svytotal(~lv, des, na.rm = TRUE)))
    c(out, list(counts = as.vector(table(d$lv)), weighted_counts = tot,
                percents = 100 * tot / sum(tot)))
  }
}

run <- function(name, d, formula, estimand, group, vars, nonnormal, levels, trim = NA) {
  ps <- fitted(glm(formula, family = binomial, data = d, control = ctl))
  z <- d$z
  keep <- if (is.na(trim)) rep(TRUE, length(ps)) else ps >= trim & ps <= 1 - trim
  w <- rep(0, length(ps)); w[keep] <- weights_of(ps[keep], z[keep], estimand)
  d$w <- w
  kept <- d[d$w > 0, ]
  glev <- sort(unique(as.character(d[[group]])))
  parts <- c(lapply(glev, function(g) kept[as.character(kept[[group]]) == g, ]), list(kept))
  rows <- lapply(vars, function(v) {
    lv <- levels[[v]]
    cols <- lapply(parts, column, v = v, levels = lv)
    pick <- function(k) sapply(cols, function(c) c[[k]])
    row <- list(variable = v, kind = if (is.null(lv)) "continuous" else "categorical",
                n = pick("n"), missing = pick("missing"),
                weighted_missing = pick("weighted_missing"))
    has <- !is.na(d[[v]])
    if (is.null(lv)) {
      row$mean <- pick("mean"); row$sd <- sqrt(pick("var"))
      row$median <- pick("median"); row$q1 <- pick("q1"); row$q3 <- pick("q3")
      row$smd <- abs(smd_after(d[[v]][has], z[has], w[has], estimand, FALSE))
      row$smd_tableone <- abs(row$mean[1] - row$mean[2]) / sqrt((row$sd[1]^2 + row$sd[2]^2) / 2)
    } else {
      row$levels <- lv
      row$counts <- lapply(cols, `[[`, "counts")
      row$weighted_counts <- lapply(cols, `[[`, "weighted_counts")
      row$percents <- lapply(cols, `[[`, "percents")
      row$smd <- max(sapply(lv, function(l) {
        x <- as.numeric(as.character(d[[v]][has]) == l)
        abs(smd_after(x, z[has], w[has], estimand, TRUE))
      }))
      row$smd_tableone <- smd_cat(row$percents[[1]] / 100, row$percents[[2]] / 100)
    }
    row
  })
  list(name = name, estimand = estimand, trim = if (is.na(trim)) NULL else trim,
       group = group, variables = vars, nonnormal = nonnormal,
       groups = glev, n = sapply(parts, nrow),
       weighted_n = sapply(parts, function(p) unname(coef(svytotal(~one, svydesign(
         ids = ~1, weights = ~w, data = transform(p, one = 1)))))),
       zero_weight = sum(d$w <= 0), rows = rows)
}

ll <- read.csv("../data/lalonde.csv")
ll$z <- ll$treat
f_ll <- z ~ age + educ + race + married + nodegree + re74 + re75
ll_levels <- list(race = c("black", "hispan", "white"), married = c("0", "1"),
                  nodegree = c("0", "1"))
ll_vars <- c("age", "educ", "race", "married", "nodegree", "re74", "re75", "re78")
ll_nonnormal <- c("re74", "re75", "re78")

# Missing values outside the model: re78 for every 7th patient, and a
# categorical employed78 (re78 > 0) missing for every 5th.
lm <- read.csv("../data/lalonde.csv")
lm$employed78 <- ifelse(lm$re78 > 0, "yes", "no")
lm$re78[seq_len(nrow(lm)) %% 7 == 0] <- NA
lm$employed78[seq_len(nrow(lm)) %% 5 == 0] <- NA
write.csv(lm, "../data/lalonde_missing.csv", row.names = FALSE, na = "")
lm$z <- lm$treat
lm_levels <- c(ll_levels, list(employed78 = c("no", "yes")))

ex <- read.csv("../data/example-study.csv", check.names = FALSE)
ex$z <- as.integer(ex$seed_marking == "Yes")
ex$age_group <- ifelse(ex$age <= 50, "≤ 50", "> 50")
ex$ki67_group <- ifelse(ex$ki67 < 20, "< 20", "≥ 20")
ex_levels <- list(
  age_group = c("≤ 50", "> 50"), menopausal = c("Premenopausal", "Postmenopausal"),
  histology = c("Ductal", "Lobular or mixed", "Other"), ki67_group = c("< 20", "≥ 20"),
  location = c("Outside", "Central/inside"), ct = paste0("T", 1:4), cn = paste0("N", 0:3),
  subtype = c("HR+/HER2-", "HER2+", "TNBC"), breast_surgery = c("Mastectomy", "BCS"),
  axillary_surgery = c("SLNB", "ALND"), radiotherapy = c("No", "Yes"))
for (v in c("age_group", "menopausal", "histology", "ki67_group", "ct", "cn", "subtype"))
  ex[[paste0(v, "_f")]] <- factor(ex[[v]], levels = ex_levels[[v]])
f_ex <- z ~ age_group_f + menopausal_f + histology_f + ki67_group_f + ct_f + cn_f + subtype_f
ex_vars <- c("age", "ki67", names(ex_levels))

cases <- list(
  run("lalonde_ate", ll, f_ll, "ate", "treat", ll_vars, ll_nonnormal, ll_levels),
  run("lalonde_att", ll, f_ll, "att", "treat", ll_vars, ll_nonnormal, ll_levels),
  run("lalonde_ate_trim_0.05", ll, f_ll, "ate", "treat", ll_vars, ll_nonnormal, ll_levels,
      trim = 0.05),
  run("lalonde_missing_att", lm, f_ll, "att", "treat", c(ll_vars, "employed78"),
      ll_nonnormal, lm_levels),
  run("example_ato", ex, f_ex, "ato", "seed_marking", ex_vars, "ki67", ex_levels)
)
write_json(list(r_version = R.version.string, survey = as.character(packageVersion("survey")),
                cases = cases), "table1_weighted.json", digits = NA, auto_unbox = TRUE,
           pretty = FALSE)
