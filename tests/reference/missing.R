# Reference for the missingness report (src/engine/missing.rs):
# mice::md.pattern (mice 3.15.0) and, per variable, the test of
# missing-by-group: chisq.test(correct = FALSE), or fisher.test when an
# expected count is below 5 (Table 1's automatic choice).
# Writes tests/data/missing_patterns.csv (made here, seeded) and
# tests/reference/missing.json.
# Run from the repository root: Rscript tests/reference/missing.R
suppressMessages(library(mice))
library(jsonlite)

set.seed(20261207)
n <- 300
group <- sample(c("A", "B"), n, replace = TRUE, prob = c(0.4, 0.6))
age <- round(rnorm(n, 55, 10))
ki67 <- round(runif(n, 1, 80))
grade <- sample(c("G1", "G2", "G3"), n, replace = TRUE)
bmi <- round(rnorm(n, 24, 3), 1)
er <- sample(c("pos", "neg"), n, replace = TRUE)
# Missing completely at random in age; by group in ki67; rare in bmi
# (Fisher); grade and er with the same count (ties keep the given order).
age[sample(n, 30)] <- NA
ki67[group == "A" & runif(n) < 0.30] <- NA
ki67[group == "B" & runif(n) < 0.08] <- NA
bmi[sample(n, 4)] <- NA
grade[sample(n, 12)] <- NA
er[sample(n, 12)] <- NA
group[c(7, 99)] <- NA
d <- data.frame(id = sprintf("P%03d", 1:n), group, age, ki67, grade, bmi, er)
write.csv(d, "tests/data/missing_patterns.csv", row.names = FALSE, na = "")

vars <- c("age", "ki67", "grade", "bmi", "er")
x <- d[, vars]
mp <- md.pattern(x, plot = FALSE)
k <- nrow(mp) - 1
columns <- colnames(mp)[seq_along(vars)]
patterns <- lapply(seq_len(k), function(i) list(
  count = as.integer(rownames(mp)[i]),
  observed = as.logical(mp[i, seq_along(vars)]),
  n_missing = as.integer(mp[i, length(vars) + 1])
))

tests <- lapply(vars, function(v) {
  keep <- !is.na(d$group)
  tab <- table(factor(is.na(d[[v]][keep]), levels = c(TRUE, FALSE)), d$group[keep])
  by_group <- lapply(colnames(tab), function(g) list(
    group = g, n = as.integer(sum(tab[, g])), missing = as.integer(tab["TRUE", g])))
  if (sum(tab["TRUE", ]) == 0) {
    return(list(variable = v, missing = sum(is.na(d[[v]])), by_group = by_group,
                test = NULL, p_value = NULL, statistic = NULL))
  }
  expected <- suppressWarnings(chisq.test(tab, correct = FALSE)$expected)
  if (any(expected < 5)) {
    list(variable = v, missing = sum(is.na(d[[v]])), by_group = by_group,
         test = "fisher", p_value = fisher.test(tab)$p.value, statistic = NULL)
  } else {
    t <- chisq.test(tab, correct = FALSE)
    list(variable = v, missing = sum(is.na(d[[v]])), by_group = by_group,
         test = "pearson", p_value = t$p.value, statistic = unname(t$statistic))
  }
})

out <- list(
  r = R.version.string, mice = as.character(packageVersion("mice")),
  file = "missing_patterns.csv", variables = vars, group = "group",
  n = n, complete = sum(complete.cases(x)), no_group = sum(is.na(d$group)),
  pattern_columns = columns, patterns = patterns, tests = tests
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           "tests/reference/missing.json")
