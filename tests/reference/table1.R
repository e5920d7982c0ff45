# Reference values for src/engine/table1 (tests/reference_table1.rs).
# Run from this folder: Rscript table1.R  -> table1.json
# R 4.2.2 (Debian 12). SMDs follow tableone's definitions, written out here
# (tableone is not packaged in Debian): continuous (m1-m2)/sqrt((s1^2+s2^2)/2),
# categorical Yang & Dalton with MASS::ginv.
suppressPackageStartupMessages({ library(jsonlite); library(MASS) })

smd_cat <- function(p1, p2) {
  keep <- which(p1 > 0 | p2 > 0); p1 <- p1[keep]; p2 <- p2[keep]
  if (length(p1) < 2) return(0)
  a <- p1[-1]; b <- p2[-1]
  S <- function(p) { m <- -outer(p, p); diag(m) <- p * (1 - p); m }
  d <- a - b
  sqrt(as.numeric(t(d) %*% ginv((S(a) + S(b)) / 2) %*% d))
}

rows_for <- function(df, group, vars, nonnormal) {
  g <- factor(df[[group]])
  lapply(vars, function(v) {
    x <- df[[v]]
    if (is.numeric(x) && !(v %in% names(attr(df, "categorical")))) {
      xs <- split(x, g)
      a <- xs[[1]]; b <- xs[[2]]
      out <- list(variable = v, kind = "continuous",
                  mean = sapply(xs, mean), sd = sapply(xs, sd),
                  median = sapply(xs, median),
                  q1 = sapply(xs, quantile, 0.25, names = FALSE),
                  q3 = sapply(xs, quantile, 0.75, names = FALSE),
                  smd = abs(mean(a) - mean(b)) / sqrt((sd(a)^2 + sd(b)^2) / 2))
      if (v %in% nonnormal) {
        out$test <- "mann_whitney"; out$p_value <- wilcox.test(a, b, exact = FALSE)$p.value
      } else {
        out$test <- "welch_t"; out$p_value <- t.test(a, b)$p.value
      }
      out
    } else {
      tab <- table(g, factor(x, levels = attr(df, "levels")[[v]]))
      e <- suppressWarnings(chisq.test(tab[, colSums(tab) > 0], correct = FALSE))
      sparse <- any(e$expected < 5)
      p <- if (sparse) fisher.test(tab[, colSums(tab) > 0], workspace = 2e8)$p.value else e$p.value
      props <- prop.table(tab, 1)
      list(variable = v, kind = "categorical", levels = colnames(tab),
           counts = unclass(tab), percents = 100 * unclass(props),
           test = if (sparse) "fisher_exact" else "pearson_chi_square", p_value = p,
           smd = smd_cat(props[1, ], props[2, ]))
    }
  })
}

ex <- read.csv("../data/example-study.csv", check.names = FALSE)
ex$age_group <- ifelse(ex$age <= 50, "≤ 50", "> 50")
ex$ki67_group <- ifelse(ex$ki67 < 20, "< 20", "≥ 20")
ex$tpcr <- as.character(ex$tpcr)
attr(ex, "levels") <- list(
  age_group = c("≤ 50", "> 50"), menopausal = c("Premenopausal", "Postmenopausal"),
  histology = c("Ductal", "Lobular or mixed", "Other"), ki67_group = c("< 20", "≥ 20"),
  location = c("Outside", "Central/inside"), ct = paste0("T", 1:4), cn = paste0("N", 0:3),
  subtype = c("HR+/HER2-", "HER2+", "TNBC"), breast_surgery = c("Mastectomy", "BCS"),
  axillary_surgery = c("SLNB", "ALND"), radiotherapy = c("No", "Yes"), tpcr = c("0", "1"))
ex_vars <- c("age", "ki67", "age_group", "menopausal", "histology", "ki67_group", "location",
             "ct", "cn", "subtype", "breast_surgery", "axillary_surgery", "radiotherapy", "tpcr")

data(birthwt)
bw <- birthwt
bw$race <- as.character(bw$race); bw$ht <- as.character(bw$ht)
attr(bw, "levels") <- list(race = c("1", "2", "3"), ht = c("0", "1"))
bw_vars <- c("age", "lwt", "race", "ht")

write_json(list(
  r_version = R.version.string,
  example = list(group = "seed_marking", nonnormal = "ki67",
                 rows = rows_for(ex, "seed_marking", ex_vars, "ki67")),
  birthwt = list(group = "smoke", nonnormal = "lwt",
                 rows = rows_for(bw, "smoke", bw_vars, "lwt"))
), "table1.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
