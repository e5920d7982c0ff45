# Reference values for the competing-risks engine (src/engine/competing,
# tests/reference_competing.rs): cumulative incidence (Aalen-Johansen) per
# cause and group with R survival's multi-state survfit (infinitesimal
# jackknife variance, conf.type "log") and cmprsk::cuminc's variance
# (Aalen-type, delta method); values at landmark times (summary(fit, times=)
# and cmprsk::timepoints); Gray's test per cause (cuminc's Tests, rho = 0,
# no strata).
# Run from this folder: Rscript competing.R
#   -> competing.json, ../data/mgus2.csv, ../data/lung_competing.csv,
#      ../data/example-study-competing.csv, ../data/competing_edge.csv
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (Debian 12).
#
# The cuminc interval: cuminc and timepoints give no interval, so
# CohortLab uses the log(-log) transform on its variance,
# F^exp(+-z sqrt(v) / (F log F)), the transform survfit's
# conf.type = "log-log" applies to a state probability; it is written
# below as that formula.
suppressPackageStartupMessages({
  library(jsonlite); library(survival); library(cmprsk)
})

# ---- Data -------------------------------------------------------------
# mgus2: progression (1) vs death without progression (2), as in the
# survival package's compete vignette.
m <- survival::mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)
m$eventc <- c("censored", "progression", "death")[m$event + 1]
write.csv(m[, c("id", "age", "sex", "etime", "event", "eventc")],
          "../data/mgus2.csv", row.names = FALSE, na = "")

# lung: deaths at age >= 70 as the competing event, the rest of the
# deaths the event (a derived competing event; ph.ecog has one NA).
l <- survival::lung
l$status012 <- ifelse(l$status == 1, 0, ifelse(l$age >= 70, 2, 1))
write.csv(l[, c("time", "status012", "sex", "ph.ecog", "age")],
          "../data/lung_competing.csv", row.names = FALSE, na = "")

# The example study: recurrence local (1) or distant (2); distant for
# every third patient number among those with an IDFS event.
e <- read.csv("../data/example-study.csv")
num <- as.integer(sub("^P", "", e$id))
e$recurrence <- ifelse(e$idfs_event == 0, "none",
                       ifelse(num %% 3 == 0, "distant", "local"))
write.csv(e[, c("id", "seed_marking", "subtype", "idfs_months", "recurrence")],
          "../data/example-study-competing.csv", row.names = FALSE, na = "")

# Constructed edges: group A starts with a censoring alone at the first
# time and ends with an event alone at its last time (event-free 0 there);
# group B has no cause-2 event; both have cause 1, cause 2 and censoring
# at the same time (t = 5), status 9 (other: censored), a missing status
# and a missing time.
edge <- data.frame(
  grp = c(rep("A", 14), rep("B", 12)),
  time = c(1, 2, 3, 5, 5, 5, 5, 6, 7, 7, 8, 9, NA, 10,
           2, 3, 3, 5, 5, 5, 6, 8, 8, 9, 11, 4),
  status = c(0, 1, 2, 1, 2, 0, 2, 9, 1, 1, 0, 2, 1, 1,
             1, 1, 0, 1, 0, 1, 9, 1, 0, NA, 0, 1))
write.csv(edge, "../data/competing_edge.csv", row.names = FALSE, na = "")

# ---- Cases ------------------------------------------------------------
# One case: a file, its status coding (event level, competing levels, the
# rest censored) and a group; the same recoding is what the engine does.
case <- function(name, file, d, time, status, event, competing, group, at) {
  d <- d[!is.na(d[[time]]) & !is.na(d[[status]]) &
         !is.na(d[[group]]), ]
  st <- as.character(d[[status]])
  cause <- ifelse(st == event, 1L, 0L)
  for (k in seq_along(competing)) cause[st == competing[k]] <- k + 1L
  tt <- d[[time]]
  g <- factor(d[[group]])
  causes <- c(event, competing)
  states <- factor(cause, levels = 0:length(causes),
                   labels = c("censor", paste0("c", seq_along(causes))))
  fit <- survfit(Surv(tt, states) ~ g)
  stopifnot(fit$conf.type == "log")
  ci <- cuminc(tt, cause, g, cencode = 0)
  glabels <- levels(droplevels(g))
  groups <- lapply(seq_along(glabels), function(j) {
    f <- fit[j, ]
    out <- list(group = glabels[j], n = f$n, time = f$time,
                n_risk = f$n.risk[, 1], n_censor = f$n.censor,
                event_free = f$pstate[, 1], causes = list())
    for (k in seq_along(causes)) {
      key <- paste(glabels[j], k)
      tp <- if (!is.null(ci[[key]])) timepoints(ci[key], f$time)
            else list(est = matrix(0, 1, length(f$time)),
                      var = matrix(0, 1, length(f$time)))
      out$causes[[k]] <- list(
        cause = causes[k], n_event = f$n.event[, k + 1],
        cif = f$pstate[, k + 1], se_survfit = f$std.err[, k + 1],
        lower = f$lower[, k + 1], upper = f$upper[, k + 1],
        cif_cuminc = as.vector(tp$est), var_cuminc = as.vector(tp$var))
    }
    # Landmarks: summary(fit, times = at) (times past the group's last
    # follow-up are dropped: NA here) and timepoints (NA past it too).
    inside <- at[at <= max(f$time)]
    s <- if (length(inside) > 0) summary(f, times = inside, extend = TRUE)
         else list(time = numeric(0), n.risk = matrix(NA, 0, 1 + length(causes)),
                   pstate = matrix(NA, 0, 1 + length(causes)))
    s$std.err <- if (length(inside) > 0) s$std.err else s$pstate
    s$lower <- if (length(inside) > 0) s$lower else s$pstate
    s$upper <- if (length(inside) > 0) s$upper else s$pstate
    idx <- match(at, s$time)
    z <- qnorm(0.975)
    out$landmarks <- list(times = at, n_risk = s$n.risk[idx, 1], causes = list())
    for (k in seq_along(causes)) {
      key <- paste(glabels[j], k)
      tp <- if (!is.null(ci[[key]])) timepoints(ci[key], at)
            else list(est = matrix(ifelse(at <= max(f$time), 0, NA), 1),
                      var = matrix(ifelse(at <= max(f$time), 0, NA), 1))
      est <- as.vector(tp$est); v <- as.vector(tp$var)
      # The log(-log) interval on cuminc's variance (see the header).
      a <- z * sqrt(v) / (est * log(est))
      # Before the group's first time: 0 with SE 0, interval [0, 0]
      # (survfit's time-0 row, which summary(extend = TRUE) shows).
      first <- at < min(f$time)
      out$landmarks$causes[[k]] <- list(
        cause = causes[k], cif = s$pstate[idx, k + 1],
        se_survfit = s$std.err[idx, k + 1], lower = s$lower[idx, k + 1],
        upper = s$upper[idx, k + 1], cif_cuminc = est, var_cuminc = v,
        lower_loglog = ifelse(first, 0, est^exp(-a)),
        upper_loglog = ifelse(first, 0, est^exp(a)))
    }
    out
  })
  tests <- if (length(glabels) > 1) {
    lapply(seq_along(causes), function(k) {
      row <- as.character(k)
      if (row %in% rownames(ci$Tests))
        list(cause = causes[k], stat = ci$Tests[row, "stat"],
             p = ci$Tests[row, "pv"], df = ci$Tests[row, "df"])
      else list(cause = causes[k], stat = NA, p = NA, df = length(glabels) - 1)
    })
  } else list()
  list(name = name, file = file, time = time, status = status, event = event,
       competing = competing, group = group, n = nrow(d), groups = groups,
       gray = tests)
}

cases <- list(
  case("mgus2_sex", "mgus2.csv", m, "etime", "event", "1", "2", "sex",
       c(0, 12, 60, 120, 240, 500)),
  case("mgus2_sex_text", "mgus2.csv", m, "etime", "eventc", "progression",
       "death", "sex", c(60, 120)),
  case("mgus2_death_first", "mgus2.csv", m, "etime", "event", "2", "1",
       "sex", c(60, 120)),
  case("lung_sex", "lung_competing.csv", l, "time", "status012", "1", "2",
       "sex", c(180, 365, 730)),
  case("lung_ecog", "lung_competing.csv", l, "time", "status012", "1", "2",
       "ph.ecog", c(180, 365)),
  case("example_seed", "example-study-competing.csv", e, "idfs_months",
       "recurrence", "local", "distant", "seed_marking", c(12, 36, 60)),
  case("example_subtype", "example-study-competing.csv", e, "idfs_months",
       "recurrence", "distant", "local", "subtype", c(36, 60)),
  case("edge", "competing_edge.csv", edge, "time", "status", "1", "2",
       "grp", c(0.5, 1, 5, 7.5, 10, 10.5, 12)),
  case("edge_two_competing", "competing_edge.csv", edge, "time", "status",
       "2", c("1", "9"), "grp", c(5, 9))
)

out <- list(
  r = R.version.string,
  survival = as.character(packageVersion("survival")),
  cmprsk = as.character(packageVersion("cmprsk")),
  cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null",
                  pretty = FALSE), "competing.json")
