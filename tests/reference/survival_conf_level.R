# Reference values for the Cox model's confidence level chosen at summary
# time (src/engine/survival/cox/summary.rs; tests/reference_survival.rs,
# cox_ci_at_a_chosen_level): R's summary(fit, conf.int = 0.90).
# Run from this folder: Rscript survival_conf_level.R -> survival_conf_level.json
# R 4.2.2, survival 3.5-3 (Debian 12). Data: ../data/lung.csv (survival::lung).
suppressPackageStartupMessages({ library(jsonlite); library(survival) })

lung <- read.csv("../data/lung.csv")
lung$sex <- factor(lung$sex)
ctl <- coxph.control(eps = 1e-12, iter.max = 50)
ci <- function(name, m, level) {
  s <- summary(m, conf.int = level)
  list(name = name, level = level, terms = rownames(s$conf.int),
       coef = unname(coef(m)), hazard_ratio = unname(s$conf.int[, 1]),
       lower = unname(s$conf.int[, 3]), upper = unname(s$conf.int[, 4]))
}
# Naive SE; with a cluster, summary's CI is from the robust SE.
naive <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung, control = ctl)
cl <- lung[!is.na(lung$inst), ]
robust <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = cl, cluster = inst, control = ctl)
cases <- list(
  ci("lung_naive_90", naive, 0.90),
  ci("lung_naive_80", naive, 0.80),
  ci("lung_cluster_inst_90", robust, 0.90)
)
write_json(list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
                cox = cases),
           "survival_conf_level.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
