# Reference design-based P values of the weighted Table 1, for
# src/engine/table1/design_tests.rs (table1_weighted_tested,
# weighted_table1_tested): tests/reference_table1_weighted_p.rs.
# Run from this folder: Rscript table1_weighted_p.R  -> table1_weighted_p.json
# (reads ../data/lalonde_missing.csv, written by table1_weighted.R).
# R 4.2.2, survey 4.1.1 (Debian 12).
#
# The tests are those of tableone's svyCreateTableOne (Yoshida K,
# tableone R/svyCreateContTable.R, svyCreateCatTable.R, modules-svy.R),
# called here as tableone calls them, on svydesign(ids = ~1, weights = ~w)
# of the patients of the table (group known, w > 0):
# - mean (SD) variables: regTermTest(svyglm(x ~ g, design), "g",
#   method = "Wald") (tableone's svyTestNormal, argsNormal =
#   list(method = "Wald")): its Ftest, df, ddf and p;
# - median [IQR] variables: svyranktest(x ~ g, design) with its default
#   test = "wilcoxon" (tableone's svyTestNonNormal): for two groups its t,
#   df and p.value; for more (survey's multiranktest, whose htest swaps
#   the names: parameter is the chi-square and statistic its df) F =
#   chisq / df on df and ddf;
# - categorical variables: svychisq(~ x + g, design) with its defaults
#   (statistic = "F": Rao & Scott's second-order corrected F; tableone
#   passes argsApprox = NULL): its F, ndf, ddf and p.value.
# Every continuous variable gets both the Wald and the rank test, so that
# the Rust test can ask for either. A test that fails is NA (tableone's
# ModuleTestSafe).
#
# Weights: WeightIt's get_w_from_ps() formulas from glm's propensity score,
# written out as in table1_weighted.R (WeightIt is not in Debian).
suppressPackageStartupMessages({ library(jsonlite); library(survey) })
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

weights_of <- function(ps, z, estimand) {
  switch(estimand,
         ate = ifelse(z == 1, 1 / ps, 1 / (1 - ps)),
         att = ifelse(z == 1, 1, ps / (1 - ps)),
         ato = ifelse(z == 1, 1 - ps, ps))
}

safe <- function(expr) tryCatch(expr, error = function(e) NULL)
na_test <- list(statistic = NA, df1 = NA, df2 = NA, p = NA)

# The three tests of one variable x by the group g in the design of `d`.
wald <- function(des) {
  r <- safe(regTermTest(svyglm(x ~ g, des), "g", method = "Wald"))
  if (is.null(r)) return(na_test)
  list(statistic = unname(r$Ftest[1]), df1 = r$df, df2 = r$ddf, p = unname(r$p[1]))
}
rank <- function(des, k) {
  r <- safe(svyranktest(x ~ g, des))
  if (is.null(r)) return(na_test)
  if (k == 2)
    list(kind = "t", statistic = unname(r$statistic), df1 = 1, df2 = unname(r$parameter),
         p = r$p.value)
  else
    list(kind = "f", statistic = as.numeric(r$parameter) / as.numeric(r$statistic),
         df1 = as.numeric(r$statistic), df2 = as.numeric(r$ddf), p = as.numeric(r$p.value))
}
chisq <- function(des) {
  r <- safe(svychisq(~ x + g, des))
  if (is.null(r)) return(na_test)
  list(statistic = unname(r$statistic), df1 = unname(r$parameter[1]),
       df2 = unname(r$parameter[2]), p = r$p.value)
}

run <- function(name, d, formula, estimand, group, vars, nonnormal, levels, trim = NA,
                by = group) {
  ps <- fitted(glm(formula, family = binomial, data = d, control = ctl))
  z <- d$z
  keep <- if (is.na(trim)) rep(TRUE, length(ps)) else ps >= trim & ps <= 1 - trim
  w <- rep(0, length(ps)); w[keep] <- weights_of(ps[keep], z[keep], estimand)
  d$w <- w
  kept <- d[d$w > 0 & !is.na(d[[by]]) & d[[by]] != "", ]
  glev <- if (is.null(levels[[by]])) sort(unique(as.character(kept[[by]]))) else levels[[by]]
  k <- length(glev)
  rows <- lapply(vars, function(v) {
    lv <- levels[[v]]
    x <- kept[[v]]
    if (!is.null(lv)) x <- factor(x, levels = lv)
    dd <- data.frame(x = x, g = factor(as.character(kept[[by]]), levels = glev), w = kept$w)
    des <- svydesign(ids = ~1, weights = ~w, data = dd)
    if (is.null(lv)) list(variable = v, kind = "continuous", wald = wald(des), rank = rank(des, k))
    else list(variable = v, kind = "categorical", chisq = chisq(des))
  })
  list(name = name, estimand = estimand, trim = if (is.na(trim)) NULL else trim,
       group = by, treatment = group, variables = vars, nonnormal = nonnormal,
       groups = glev, n = nrow(kept), rows = rows)
}

ll <- read.csv("../data/lalonde.csv")
ll$z <- ll$treat
f_ll <- z ~ age + educ + race + married + nodegree + re74 + re75
ll_levels <- list(race = c("black", "hispan", "white"), married = c("0", "1"),
                  nodegree = c("0", "1"))
ll_vars <- c("age", "educ", "race", "married", "nodegree", "re74", "re75", "re78")
ll_nonnormal <- c("re74", "re75", "re78")

lm <- read.csv("../data/lalonde_missing.csv")
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
# The example's model without histology: with it, no treated patient has
# histology "Other", its patients' scores are 0 up to the fitting (about
# 1e-13 in R, 1e-23 in ours) and so are their ATO weights, which makes
# svychisq's design effects of histology computationally singular or not
# by a hair (R's solve). Without it, every weight is a fitted quantity.
f_ex <- z ~ age_group_f + menopausal_f + ki67_group_f + ct_f + cn_f + subtype_f
ex_vars <- c("age", "ki67", names(ex_levels))

cases <- list(
  run("lalonde_ate", ll, f_ll, "ate", "treat", ll_vars, ll_nonnormal, ll_levels),
  run("lalonde_att", ll, f_ll, "att", "treat", ll_vars, ll_nonnormal, ll_levels),
  run("lalonde_ate_trim_0.05", ll, f_ll, "ate", "treat", ll_vars, ll_nonnormal, ll_levels,
      trim = 0.05),
  run("lalonde_missing_att", lm, f_ll, "att", "treat", c(ll_vars, "employed78"),
      ll_nonnormal, lm_levels),
  run("example_ato", ex, f_ex, "ato", "seed_marking", ex_vars, "ki67", ex_levels),
  # Three groups: the ATO weights, Table 1 by subtype (rank and Wald F on
  # 2 df, svychisq on a 4 x 3 or 3 x 3 table).
  run("example_ato_by_subtype", ex, f_ex, "ato", "seed_marking",
      setdiff(ex_vars, "subtype"), "ki67", ex_levels, by = "subtype")
)
write_json(list(r_version = R.version.string, survey = as.character(packageVersion("survey")),
                cases = cases), "table1_weighted_p.json", digits = NA, auto_unbox = TRUE,
           pretty = FALSE, na = "null")
