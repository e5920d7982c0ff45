# Times R's MatchIt on a cohort shaped like benches/engine.rs's (20% treated,
# 8 categorical covariates with 2-4 levels, 4 continuous), 2:1 nearest
# neighbour with a caliper of 0.2 SD of the logit: `Rscript benches/matchit_timing.R 100000`.
# The integer-abs workaround of Debian's MatchIt 4.5.1 is used (score x 1e8).
suppressPackageStartupMessages(library(MatchIt))
n <- as.integer(commandArgs(TRUE)[1]); if (is.na(n)) n <- 100000
set.seed(42)
d <- data.frame(group = rbinom(n, 1, 0.2))
for (j in 0:7) d[[paste0("cat", j)]] <- factor(sample.int(c(2, 2, 3, 4, 4, 3, 2, 3)[j + 1], n, TRUE))
for (j in 0:3) d[[paste0("num", j)]] <- rnorm(n, 50, 10)
f <- group ~ cat0 + cat1 + cat2 + cat3 + cat4 + cat5 + cat6 + cat7 + num0 + num1 + num2 + num3
t <- system.time({
  ps <- fitted(glm(f, binomial, d))
  m <- matchit(f, d, method = "nearest", distance = qlogis(ps) * 1e7, ratio = 2,
               caliper = 0.2, std.caliper = TRUE)
})
cat(sprintf("R MatchIt, %d patients, glm + 2:1 nearest with caliper: %.2f s elapsed\n", n, t[["elapsed"]]))
