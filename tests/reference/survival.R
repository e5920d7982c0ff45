# Reference values for src/engine/survival (tests/reference_survival.rs).
# Run from this folder: Rscript survival.R  -> survival.json
# R 4.2.2, survival 3.5-3 (Debian 12).
suppressPackageStartupMessages({ library(jsonlite); library(survival) })

km <- function(name, time, status, group, ctype, times, tau) {
  fit <- survfit(Surv(time, status) ~ group, conf.type = ctype)
  s <- summary(fit, censored = TRUE)
  st <- summary(fit, times = times, extend = TRUE)
  q <- quantile(fit, 0.5)
  rm <- summary(fit, rmean = tau)$table[, "rmean"]
  groups <- sub("^group=", "", names(fit$strata))
  list(name = name, ctype = ctype, groups = groups,
       strata = sub("^group=", "", as.character(s$strata)), time = s$time, n_risk = s$n.risk,
       n_event = s$n.event, n_censor = s$n.censor, surv = s$surv, std_err = s$std.err,
       lower = s$lower, upper = s$upper,
       at_strata = sub("^group=", "", as.character(st$strata)), at_time = st$time,
       at_n_risk = st$n.risk, at_surv = st$surv, at_std_err = st$std.err,
       at_lower = st$lower, at_upper = st$upper,
       median = unname(q$quantile[, 1]), median_lower = unname(q$lower[, 1]),
       median_upper = unname(q$upper[, 1]), tau = tau, rmean = unname(rm))
}

lr <- function(name, formula, data, rho = 0) {
  d <- survdiff(formula, data = data, rho = rho)
  # With strata, obs and exp are group x stratum: sum over strata.
  o <- if (is.matrix(d$obs)) rowSums(d$obs) else d$obs
  e <- if (is.matrix(d$exp)) rowSums(d$exp) else d$exp
  list(name = name, rho = rho, n = unname(as.vector(d$n)), observed = unname(as.vector(o)),
       expected = unname(as.vector(e)), chisq = d$chisq,
       p = pchisq(d$chisq, length(d$n) - 1, lower.tail = FALSE))
}

lung <- survival::lung; veteran <- survival::veteran
lung$event <- lung$status == 2
ex <- read.csv("../data/example-study.csv", check.names = FALSE)
ex$group4 <- paste0(ex$seed_marking, ", ", ex$tpcr)

fu <- survfit(Surv(lung$time, lung$status == 1) ~ 1)
km_cases <- list(
  km("lung_sex_log", lung$time, lung$event, lung$sex, "log", c(180, 365, 730), 730),
  km("lung_sex_loglog", lung$time, lung$event, lung$sex, "log-log", c(180, 365, 730), 730),
  km("lung_sex_plain", lung$time, lung$event, lung$sex, "plain", c(180, 365, 730), 730),
  km("veteran_celltype", veteran$time, veteran$status, veteran$celltype, "log", c(30, 90, 180), 365),
  km("example_marking", ex$idfs_months, ex$idfs_event, ex$seed_marking, "log", c(12, 36, 60), 60),
  km("example_marking_tpcr", ex$idfs_months, ex$idfs_event, ex$group4, "log", c(12, 36, 60), 60)
)
lr_cases <- list(
  lr("lung_sex", Surv(time, status) ~ sex, lung),
  lr("lung_ecog", Surv(time, status) ~ ph.ecog, lung),
  lr("lung_sex_peto", Surv(time, status) ~ sex, lung, rho = 1),
  lr("lung_sex_strata_ecog", Surv(time, status) ~ sex + strata(ph.ecog), lung),
  lr("veteran_celltype", Surv(time, status) ~ celltype, veteran),
  lr("example_marking", Surv(idfs_months, idfs_event) ~ seed_marking, ex),
  lr("example_marking_tpcr", Surv(idfs_months, idfs_event) ~ group4, ex)
)
write_json(list(r_version = R.version.string, survival = as.character(packageVersion("survival")),
                km = km_cases, logrank = lr_cases,
                lung_follow_up = list(median = unname(quantile(fu, 0.5)$quantile),
                                      lower = unname(quantile(fu, 0.5)$lower),
                                      upper = unname(quantile(fu, 0.5)$upper))),
           "survival.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
write.csv(lung[, names(lung) != "event"], "../data/lung.csv", row.names = FALSE, na = "")
write.csv(veteran, "../data/veteran.csv", row.names = FALSE)

# Cox models (appended to the same fixture file as a second document).
cox <- function(name, formula, data, ties, cluster = NULL) {
  m <- if (is.null(cluster)) {
    coxph(formula, data = data, ties = ties, control = coxph.control(eps = 1e-12, iter.max = 50))
  } else {
    data$cl <- data[[cluster]]
    coxph(formula, data = data, ties = ties, cluster = cl, control = coxph.control(eps = 1e-12, iter.max = 50))
  }
  s <- summary(m)
  naive <- if (is.null(cluster)) vcov(m) else m$naive.var
  se <- sqrt(diag(naive))
  list(name = name, ties = ties, terms = names(coef(m)), coef = unname(coef(m)),
       se = unname(se), p = unname(2 * pnorm(-abs(coef(m) / se))),
       loglik = m$loglik, lr = 2 * diff(m$loglik),
       wald = as.numeric(t(coef(m)) %*% solve(naive) %*% coef(m)),
       robust_wald = if (is.null(cluster)) NULL else unname(m$wald.test),
       score = unname(m$score), concordance = unname(m$concordance["concordance"]),
       n = m$n, nevent = m$nevent,
       robust_se = if (is.null(cluster)) NULL else unname(sqrt(diag(m$var))))
}
lung2 <- lung; lung2$sex <- factor(lung2$sex)
vet <- veteran; vet$trt <- factor(vet$trt)
cox_cases <- list(
  cox("lung_efron", Surv(time, status) ~ age + sex + ph.ecog, lung2, "efron"),
  cox("lung_breslow", Surv(time, status) ~ age + sex + ph.ecog, lung2, "breslow"),
  cox("veteran_efron", Surv(time, status) ~ trt + celltype + karno, vet, "efron"),
  cox("lung_strata", Surv(time, status) ~ age + sex + strata(inst), lung2, "efron"),
  cox("example_marking", Surv(idfs_months, idfs_event) ~ seed_marking + tpcr, ex, "efron"),
  # Clustered (robust) SE; patients without inst are dropped first.
  cox("lung_cluster_inst", Surv(time, status) ~ age + sex + ph.ecog, lung2[!is.na(lung2$inst), ], "efron", "inst"),
  cox("lung_cluster_inst_breslow", Surv(time, status) ~ age + sex + ph.ecog, lung2[!is.na(lung2$inst), ], "breslow", "inst")
)
# The example's 2:1 matched cohort (as tests/reference/matching.R's
# example_2_none_largest), Cox by marking with SE clustered by matched set.
suppressPackageStartupMessages(library(MatchIt))
exm <- ex; exm$treat <- as.integer(exm$seed_marking == "Yes")
exm$age_group <- factor(ifelse(exm$age <= 50, "≤ 50", "> 50"), levels = c("≤ 50", "> 50"))
exm$ki67_group <- factor(ifelse(exm$ki67 < 20, "< 20", "≥ 20"), levels = c("< 20", "≥ 20"))
fm <- treat ~ age_group + menopausal + ki67_group + location + ct + cn + subtype
ps <- fitted(glm(fm, binomial, exm, control = glm.control(epsilon = 1e-14, maxit = 100)))
mm <- matchit(fm, data = exm, method = "nearest", distance = ps * 1e8, ratio = 2)
md <- match.data(mm)
cox_cases[[length(cox_cases) + 1]] <- cox("example_matched_cluster",
  Surv(idfs_months, idfs_event) ~ seed_marking, md, "efron", "subclass")
zph <- function(name, formula, data) {
  m <- coxph(formula, data = data, model = TRUE, x = TRUE, y = TRUE,
             control = coxph.control(eps = 1e-12, iter.max = 50))
  z <- cox.zph(m, transform = "km")$table
  list(name = name, terms = rownames(z), chisq = unname(z[, "chisq"]), df = unname(z[, "df"]),
       p = unname(z[, "p"]))
}
zph_cases <- list(
  zph("lung", Surv(time, status) ~ age + sex + ph.ecog, lung2),
  zph("veteran", Surv(time, status) ~ trt + celltype + karno, vet)
)
write_json(list(cox = cox_cases, zph = zph_cases), "survival_cox.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
