# Reference matched sets for src/engine/matching (tests/reference_matching.rs).
# Run from this folder: Rscript matching.R  -> matching.json
# R 4.2.2, MatchIt 4.5.1 (Debian 12). Debian's MatchIt 4.5.1 applies an
# integer abs() to score differences (fixed upstream in 4.5.4): differences
# below 1 become 0. As documented in shared/design/STATISTICS.md, passing
# the score multiplied by 1e8 as a numeric `distance` avoids it (the SD
# caliper scales with it).
suppressPackageStartupMessages({ library(jsonlite); library(MatchIt) })
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

run <- function(name, formula, data, ratio, caliper, order, scale) {
  ps <- fitted(glm(formula, family = binomial, data = data, control = ctl))
  d <- if (scale == "logit") qlogis(ps) else ps
  args <- list(formula, data = data, method = "nearest", distance = d * 1e8,
               ratio = ratio, m.order = order, replace = FALSE)
  if (!is.na(caliper)) { args$caliper <- caliper; args$std.caliper <- TRUE }
  m <- suppressWarnings(do.call(matchit, args))
  mm <- m$match.matrix
  sets <- lapply(seq_len(nrow(mm)), function(i) {
    ctrl <- mm[i, ]; ctrl <- ctrl[!is.na(ctrl)]
    list(treated = rownames(mm)[i], controls = unname(as.character(ctrl)))
  })
  sets <- Filter(function(s) length(s$controls) > 0, sets)
  sm <- summary(m, un = TRUE)
  tab <- function(x) {
    x <- x[rownames(x) != "distance", , drop = FALSE]
    list(terms = rownames(x), mean_treated = unname(x[, "Means Treated"]),
         mean_control = unname(x[, "Means Control"]), smd = unname(x[, "Std. Mean Diff."]),
         var_ratio = unname(x[, "Var. Ratio"]), ecdf_mean = unname(x[, "eCDF Mean"]),
         ecdf_max = unname(x[, "eCDF Max"]))
  }
  list(name = name, ratio = ratio, caliper = caliper, order = order, scale = scale,
       balance_all = tab(sm$sum.all), balance_matched = tab(sm$sum.matched),
       score = unname(ps), ids = rownames(data), sets = sets,
       weights = unname(m$weights),
       n_matched_treated = sum(m$weights[m$treat == 1] > 0),
       n_matched_control = sum(m$weights[m$treat == 0] > 0))
}

data(lalonde, package = "MatchIt")
ll <- lalonde
f_ll <- treat ~ age + educ + race + married + nodegree + re74 + re75

ex <- read.csv("../data/example-study.csv", check.names = FALSE)
rownames(ex) <- ex$id
ex$treat <- as.integer(ex$seed_marking == "Yes")
ex$age_group <- factor(ifelse(ex$age <= 50, "≤ 50", "> 50"), levels = c("≤ 50", "> 50"))
ex$ki67_group <- factor(ifelse(ex$ki67 < 20, "< 20", "≥ 20"), levels = c("< 20", "≥ 20"))
for (v in c("menopausal", "location", "ct", "cn", "subtype")) ex[[v]] <- factor(ex[[v]])
# histology is left out: its "Other" level has no marked patient (separation),
# which makes the SD of the logit, and so the caliper, arbitrary.
f_ex <- treat ~ age_group + menopausal + ki67_group + location + ct + cn + subtype

cases <- list(
  run("lalonde_1_none_largest", f_ll, ll, 1, NA, "largest", "probability"),
  run("lalonde_2_none_largest", f_ll, ll, 2, NA, "largest", "probability"),
  run("lalonde_1_0.1_largest", f_ll, ll, 1, 0.1, "largest", "probability"),
  run("lalonde_2_0.2_largest", f_ll, ll, 2, 0.2, "largest", "probability"),
  run("lalonde_1_0.2_smallest_logit", f_ll, ll, 1, 0.2, "smallest", "logit"),
  run("lalonde_2_0.2_largest_logit", f_ll, ll, 2, 0.2, "largest", "logit"),
  run("example_2_none_largest", f_ex, ex, 2, NA, "largest", "probability"),
  run("example_2_0.2_largest_logit", f_ex, ex, 2, 0.2, "largest", "logit"),
  run("example_1_0.2_smallest", f_ex, ex, 1, 0.2, "smallest", "probability")
)
write_json(list(r_version = R.version.string, matchit = as.character(packageVersion("MatchIt")),
                cases = cases), "matching.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
