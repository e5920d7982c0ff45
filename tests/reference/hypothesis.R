# Reference values for src/engine/hypothesis (tests/reference_hypothesis.rs).
# Run from this folder: Rscript hypothesis.R  -> hypothesis.json
# Produced with R 4.2.2 (Debian 12: r-base-core, r-cran-mass, r-cran-matchit).
suppressPackageStartupMessages({ library(jsonlite); library(MASS); library(MatchIt) })
data(birthwt); data(lalonde, package = "MatchIt")

tables <- list(
  # The model study's Table 1 (before matching): group A, group B per level.
  paper_age        = rbind(c(411, 422), c(101, 115)),
  paper_histology  = rbind(c(805, 12, 16), c(214, 2, 0)),
  paper_ki67       = rbind(c(106, 727), c(11, 205)),
  paper_ct         = rbind(c(117, 532, 95, 89), c(48, 146, 17, 5)),
  paper_cn         = rbind(c(75, 550, 135, 73), c(26, 158, 25, 7)),
  paper_subtype    = rbind(c(316, 339, 178), c(31, 129, 56)),
  # ... and after matching.
  paper_after_histology = rbind(c(430, 2, 0), c(214, 2, 0)),
  paper_after_ki67 = rbind(c(21, 411), c(11, 205)),
  paper_after_ct   = rbind(c(86, 298, 38, 10), c(48, 146, 17, 5)),
  birthwt_race_smoke = unclass(table(birthwt$smoke, birthwt$race)),
  birthwt_low_ht = unclass(table(birthwt$low, birthwt$ht)),
  lalonde_race_treat = unclass(table(lalonde$treat, lalonde$race)),
  sparse_2x2 = rbind(c(3, 1), c(1, 3)),
  sparse_2x5 = rbind(c(0, 3, 5, 1, 2), c(4, 1, 0, 2, 6)),
  sparse_3x4 = rbind(c(2, 0, 3, 1), c(1, 4, 0, 2), c(0, 1, 5, 3)),
  large_2x4 = rbind(c(300, 120, 60, 20), c(280, 150, 90, 29))
)
contingency <- lapply(names(tables), function(nm) {
  x <- tables[[nm]]
  e <- suppressWarnings(chisq.test(x, correct = FALSE))
  y <- suppressWarnings(chisq.test(x, correct = TRUE))
  list(name = nm, counts = x,
       pearson = unname(e$statistic), pearson_p = e$p.value, df = unname(e$parameter),
       yates = unname(y$statistic), yates_p = y$p.value,
       min_expected = min(e$expected),
       fisher_p = fisher.test(x, workspace = 2e8)$p.value)
})

two_sample <- function(nm, x, y) {
  w <- t.test(x, y); s <- t.test(x, y, var.equal = TRUE)
  m <- suppressWarnings(wilcox.test(x, y, exact = FALSE, correct = TRUE))
  list(name = nm, x = x, y = y,
       welch_t = unname(w$statistic), welch_df = unname(w$parameter), welch_p = w$p.value,
       student_t = unname(s$statistic), student_df = unname(s$parameter), student_p = s$p.value,
       mw_w = unname(m$statistic), mw_p = m$p.value)
}
samples <- list(
  two_sample("birthwt_bwt_by_smoke", birthwt$bwt[birthwt$smoke == 1], birthwt$bwt[birthwt$smoke == 0]),
  two_sample("birthwt_age_by_low", birthwt$age[birthwt$low == 1], birthwt$age[birthwt$low == 0]),
  two_sample("lalonde_re78_by_treat", lalonde$re78[lalonde$treat == 1], lalonde$re78[lalonde$treat == 0]),
  two_sample("lalonde_educ_by_treat", lalonde$educ[lalonde$treat == 1], lalonde$educ[lalonde$treat == 0]),
  two_sample("small_ties", c(1, 2, 2, 3, 5, 5, 5), c(2, 3, 3, 4, 6, 7))
)

mcnemar <- lapply(list(c(10, 5), c(25, 12), c(3, 9), c(7, 7)), function(bc) {
  x <- matrix(c(20, bc[2], bc[1], 30), 2)  # b = x[1,2], c = x[2,1]
  r <- mcnemar.test(x); u <- mcnemar.test(x, correct = FALSE)
  list(b = bc[1], c = bc[2], corrected = unname(r$statistic), corrected_p = r$p.value,
       uncorrected = unname(u$statistic), uncorrected_p = u$p.value)
})

write_json(list(r_version = R.version.string, contingency = contingency,
                two_sample = samples, mcnemar = mcnemar),
           "hypothesis.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
