# Fixture for tests/reference_mantel_haenszel.rs: R's mantelhaen.test on
# UCBAdmissions (2 x 2 x 6) and on the example study's matched sets (the
# 648 patients of `cohortlab run tests/data/example-study.csv --spec
# tests/data/example-study.settings.json`, whose matched sets equal
# MatchIt's: see matching.R), stratified by matched set.
#
#   cargo run --release --bin cohortlab -- run tests/data/example-study.csv \
#       --spec tests/data/example-study.settings.json --out /tmp/study
#   Rscript tests/reference/mantel_haenszel.R /tmp/study/matched.csv \
#       > tests/reference/mantel_haenszel.json
args <- commandArgs(trailingOnly = TRUE)
fmt <- function(x) formatC(x, digits = 17, format = "g")
one <- function(name, tab, strata) {
  out <- c()
  for (correct in c(TRUE, FALSE)) {
    m <- mantelhaen.test(tab, correct = correct)
    out <- c(out, sprintf(
      '{"name": "%s", "correct": %s, "strata": [%s], "odds_ratio": %s, "ci": [%s, %s], "statistic": %s, "p_value": %s}',
      name, tolower(correct), strata, fmt(m$estimate), fmt(m$conf.int[1]),
      fmt(m$conf.int[2]), fmt(m$statistic), fmt(m$p.value)))
  }
  out
}
strata_json <- function(tab) {
  k <- dim(tab)[3]
  paste(sapply(seq_len(k), function(i) sprintf("[%d, %d, %d, %d]",
    tab[1, 1, i], tab[1, 2, i], tab[2, 1, i], tab[2, 2, i])), collapse = ", ")
}
cases <- one("UCBAdmissions", UCBAdmissions, strata_json(UCBAdmissions))
d <- read.csv(args[1])
for (o in c("tpcr", "bpcr", "apcr")) {
  tab <- table(factor(d$seed_marking, levels = c("Yes", "No")),
               factor(d[[o]], levels = c(1, 0)), d$subclass)
  cases <- c(cases, one(paste0("example matched ", o), tab, strata_json(tab)))
}
cat("[\n", paste(cases, collapse = ",\n"), "\n]\n", sep = "")
