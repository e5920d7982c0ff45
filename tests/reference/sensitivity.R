# Reference values for src/engine/sensitivity (tests/reference_sensitivity.rs).
# Run from this folder: Rscript sensitivity.R  -> sensitivity.json
# R 4.2.2, MatchIt 4.5.1 (Debian 12). EValue and rbounds are not in Debian:
# their formulas are written out here from the publications.
suppressPackageStartupMessages({ library(jsonlite); library(MatchIt) })

# ---------------------------------------------------------------------
# E-values. VanderWeele TJ, Ding P. Ann Intern Med 2017;167:268-274:
# E = RR + sqrt(RR (RR - 1)) for RR >= 1, of 1/RR for RR < 1. The CI's
# E-value is that of the limit closer to 1, 1 when the CI includes 1
# (as EValue::evalues.RR with true = 1). Conversions to the RR scale as
# EValue's toRR (Mathur et al., Epidemiology 2018;29:e45): OR for a common
# outcome sqrt(OR) (VanderWeele, Epidemiology 2017;28:e58); HR for a
# common outcome (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (VanderWeele,
# Biometrics 2020;76:746); rare outcome: the OR or HR itself.
threshold <- function(rr) { if (rr < 1) rr <- 1 / rr; rr + sqrt(rr * (rr - 1)) }
to_rr <- function(x, measure, common) {
  if (measure == "rr" || !common) return(x)
  if (measure == "or") return(sqrt(x))
  (1 - 0.5^sqrt(x)) / (1 - 0.5^sqrt(1 / x))
}
evalue <- function(name, measure, est, lo, hi, common) {
  rr <- function(x) to_rr(x, measure, common)
  ci <- if (est > 1) {
    if (is.na(lo)) NA else if (lo < 1) 1 else threshold(rr(lo))
  } else if (est < 1) {
    if (is.na(hi)) NA else if (hi > 1) 1 else threshold(rr(hi))
  } else 1
  list(name = name, measure = measure, common = common, estimate = est,
       lower = lo, upper = hi, rr_point = rr(est), point = threshold(rr(est)), ci = ci)
}
evalues <- list(
  # The paper's example (Box): RR 3.9 (1.8 to 8.7) -> 7.26 and 3.0.
  evalue("published_rr", "rr", 3.9, 1.8, 8.7, FALSE),
  evalue("rr_protective", "rr", 0.80, 0.71, 0.91, FALSE),
  evalue("rr_crosses_1", "rr", 1.3, 0.9, 1.9, FALSE),
  evalue("or_rare", "or", 1.54, 1.11, 2.13, FALSE),
  evalue("or_common", "or", 1.54, 1.11, 2.13, TRUE),
  evalue("or_common_protective", "or", 0.86, 0.75, 0.99, TRUE),
  evalue("or_common_crosses_1", "or", 0.86, 0.70, 1.05, TRUE),
  evalue("hr_rare", "hr", 0.56, 0.46, 0.69, FALSE),
  evalue("hr_common", "hr", 0.56, 0.46, 0.69, TRUE),
  evalue("hr_common_harmful", "hr", 2.4, 1.3, 4.4, TRUE),
  evalue("hr_common_crosses_1", "hr", 1.4, 0.95, 2.1, TRUE)
)

# ---------------------------------------------------------------------
# Rosenbaum bounds for a binary outcome in matched sets (Rosenbaum 2002,
# Observational Studies, 2nd ed., sections 4.3-4.4). In a set of n patients
# (1 treated) with m events, 0 < m < n, the treated is among the events
# with probability between p- = m / (m + (n - m) G) and
# p+ = m G / (m G + n - m). T = informative sets whose treated had the
# event; tested in the direction of the effect (if T < sum(m / n), the
# outcome's levels are swapped: m -> n - m, T -> sets whose treated had
# no event). Pairs: P = P(X >= T), X ~ Bin(D, p) (McNemar with hidden
# bias; rbounds::binarysens reports P(X >= T + 1)). Sets: normal
# approximation with continuity correction,
# P = 1 - pnorm((T - 1/2 - sum(p)) / sqrt(sum(p (1 - p)))).
rosenbaum <- function(sets, alpha = 0.05) {
  # sets: data.frame(n, m, treated_event), one row per set with >= 1 control.
  inf <- sets[sets$m > 0 & sets$m < sets$n, ]
  t <- sum(inf$treated_event)
  direction <- "treated_more"
  if (t < sum(inf$m / inf$n)) {
    direction <- "treated_fewer"
    inf$m <- inf$n - inf$m
    t <- nrow(inf) - t
  }
  pairs <- all(inf$n == 2)
  bound <- function(g) {
    if (pairs) {
      d <- nrow(inf)
      c(upper = pbinom(t - 1, d, g / (1 + g), lower.tail = FALSE),
        lower = pbinom(t - 1, d, 1 / (1 + g), lower.tail = FALSE))
    } else {
      tail <- function(p) pnorm((t - 0.5 - sum(p)) / sqrt(sum(p * (1 - p))), lower.tail = FALSE)
      c(upper = tail(inf$m * g / (inf$m * g + inf$n - inf$m)),
        lower = tail(inf$m / (inf$m + (inf$n - inf$m) * g)))
    }
  }
  gammas <- c(1, 1.5, 2)
  b <- sapply(gammas, bound)
  crossing <- if (bound(1)["upper"] > alpha) NA else
    uniroot(function(g) bound(g)["upper"] - alpha, c(1, 1000), tol = 1e-12)$root
  list(sets = nrow(sets), informative_sets = nrow(inf), statistic = t,
       direction = direction, method = if (pairs) "exact_binomial" else "normal_approximation",
       gamma = gammas, p_upper = unname(b["upper", ]), p_lower = unname(b["lower", ]),
       gamma_at_alpha = crossing)
}

# The sets of a matching: per treated, its controls; patients missing the
# outcome left out, sets with no treated or no control left out.
set_table <- function(sets, y) {
  rows <- lapply(sets, function(s) {
    yt <- y[s$treated]; yc <- y[s$controls]; yc <- yc[!is.na(yc)]
    if (is.na(yt) || length(yc) == 0) return(NULL)
    data.frame(n = length(yc) + 1, m = yt + sum(yc), treated_event = yt)
  })
  do.call(rbind, rows)
}

# The example study matched as tests/reference/matching.R does.
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
ex <- read.csv("../data/example-study.csv", check.names = FALSE)
rownames(ex) <- ex$id
ex$treat <- as.integer(ex$seed_marking == "Yes")
ex$age_group <- factor(ifelse(ex$age <= 50, "≤ 50", "> 50"), levels = c("≤ 50", "> 50"))
ex$ki67_group <- factor(ifelse(ex$ki67 < 20, "< 20", "≥ 20"), levels = c("< 20", "≥ 20"))
for (v in c("menopausal", "location", "ct", "cn", "subtype")) ex[[v]] <- factor(ex[[v]])
f_ex <- treat ~ age_group + menopausal + ki67_group + location + ct + cn + subtype

match_sets <- function(ratio, caliper, order, scale) {
  ps <- fitted(glm(f_ex, family = binomial, data = ex, control = ctl))
  d <- if (scale == "logit") qlogis(ps) else ps
  m <- suppressWarnings(matchit(f_ex, data = ex, method = "nearest", distance = d * 1e8,
                                ratio = ratio, m.order = order, replace = FALSE,
                                caliper = caliper, std.caliper = TRUE))
  mm <- m$match.matrix
  sets <- lapply(seq_len(nrow(mm)), function(i) {
    c <- mm[i, ]; list(treated = rownames(mm)[i], controls = unname(as.character(c[!is.na(c)])))
  })
  Filter(function(s) length(s$controls) > 0, sets)
}

example_case <- function(name, ratio, caliper, order, scale) {
  sets <- match_sets(ratio, caliper, order, scale)
  outcomes <- lapply(c("tpcr", "bpcr"), function(o) {
    y <- setNames(ex[[o]], ex$id)
    c(list(outcome = o), rosenbaum(set_table(sets, y)))
  })
  list(name = name, ratio = ratio, caliper = caliper, order = order, scale = scale,
       outcomes = outcomes)
}

examples <- list(
  example_case("example_1_0.2_smallest", 1, 0.2, "smallest", "probability"),
  example_case("example_2_0.2_largest_logit", 2, 0.2, "largest", "logit")
)

# A constructed 1:1 study (tests/data/sensitivity-pairs.csv): the pairs are
# the column `pair`; the exact binomial by hand.
pp <- read.csv("../data/sensitivity-pairs.csv")
pair_sets <- lapply(split(seq_len(nrow(pp)), pp$pair), function(i)
  list(treated = i[pp$treat[i] == 1], controls = i[pp$treat[i] == 0]))
pairs <- lapply(c("y", "y_protective"), function(o)
  c(list(outcome = o), rosenbaum(set_table(pair_sets, pp[[o]]))))

write_json(list(r_version = R.version.string, matchit = as.character(packageVersion("MatchIt")),
                evalues = evalues, examples = examples, pairs = pairs),
           "sensitivity.json", digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
