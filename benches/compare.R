# R's side of benches/compare.sh: the same stages as `cargo bench --bench
# compare -- --time FILE`, on the same file. Prints `stage<TAB>seconds`
# lines as each stage ends (matching last: it is the slow one) and writes
# the matched sets to FILE.r-sets.tsv.
# Debian's MatchIt 4.5.1 needs the documented workaround (tests/reference/
# matching.R): the score times 1e8 as a numeric distance.
suppressPackageStartupMessages({ library(survival); library(MatchIt) })
file <- commandArgs(TRUE)[1]
stage <- function(name, t) { cat(sprintf("%s\t%.3f\n", name, t[["elapsed"]])); flush.console() }
t <- system.time({
  d <- read.csv(file)
  for (v in paste0("cat", 0:7)) d[[v]] <- factor(d[[v]])
  rownames(d) <- d$id
})
stage("import", t)
t <- system.time({
  s <- survfit(Surv(time, status) ~ group, data = d)
  summary(s, times = 36)
  survdiff(Surv(time, status) ~ group, data = d)
})
stage("Kaplan-Meier + log-rank", t)
t <- system.time(coxph(Surv(time, status) ~ group + cat0 + cat1 + cat2 + cat5 + cat6 +
                         num0 + num1 + num2 + num3, data = d))
stage("Cox, 10 covariates", t)
f <- group ~ cat0 + cat1 + cat2 + cat3 + cat4 + cat5 + cat6 + cat7 + num0 + num1 + num2 + num3
t <- system.time({
  ps <- fitted(glm(f, binomial, d, control = glm.control(epsilon = 1e-12, maxit = 50)))
  m <- matchit(f, d, method = "nearest", distance = qlogis(ps) * 1e8, ratio = 2,
               caliper = 0.2, std.caliper = TRUE)
})
stage("propensity model + 2:1 matching", t)
mm <- m$match.matrix
lines <- vapply(seq_len(nrow(mm)), function(i) {
  ctrl <- mm[i, ]; ctrl <- sort(as.character(ctrl[!is.na(ctrl)]))
  if (length(ctrl) == 0) NA_character_ else paste0(rownames(mm)[i], "\t", paste(ctrl, collapse = ","))
}, "")
writeLines(lines[!is.na(lines)], paste0(file, ".r-sets.tsv"))
