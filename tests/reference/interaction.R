# Fixture for the P for interaction (tests/reference_mantel_haenszel.rs):
# the likelihood-ratio test of outcome ~ group * subgroup against
# outcome ~ group + subgroup, on the example study's matched cohort (the
# matched.csv of `cohortlab run`, see mantel_haenszel.R) and on MASS's
# birthwt (low ~ smoke * race).
#
#   Rscript tests/reference/interaction.R /tmp/study/matched.csv \
#       > tests/reference/interaction.json
args <- commandArgs(trailingOnly = TRUE)
fmt <- function(x) formatC(x, digits = 17, format = "g")
lrt <- function(name, formula_full, formula_reduced, data) {
  full <- glm(formula_full, family = binomial, data = data)
  reduced <- glm(formula_reduced, family = binomial, data = data)
  a <- anova(reduced, full, test = "LRT")
  sprintf('{"name": "%s", "chi_square": %s, "df": %d, "p_value": %s, "n": %d}',
          name, fmt(a$Deviance[2]), as.integer(a$Df[2]), fmt(a[["Pr(>Chi)"]][2]), nrow(data))
}
d <- read.csv(args[1])
d$seed_marking <- factor(d$seed_marking, levels = c("No", "Yes"))
d$subtype <- factor(d$subtype, levels = c("HR+/HER2-", "HER2+", "TNBC"))
cases <- c()
for (o in c("tpcr", "bpcr", "apcr")) {
  cases <- c(cases, lrt(paste0("example matched ", o),
                        as.formula(paste(o, "~ seed_marking * subtype")),
                        as.formula(paste(o, "~ seed_marking + subtype")), d))
}
b <- MASS::birthwt
b$race <- factor(b$race)
cases <- c(cases, lrt("birthwt low smoke race", low ~ smoke * race, low ~ smoke + race, b))
cat("[\n", paste(cases, collapse = ",\n"), "\n]\n", sep = "")
