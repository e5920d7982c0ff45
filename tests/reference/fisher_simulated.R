# Tables too large for the exact Fisher computation within CohortLab's work
# bound (engine::hypothesis::FISHER_WORK_BOUND), and R's simulated P for
# each with B = 1e6 (`p`), beside R's exact P (`p_exact_fexact`, workspace
# 2e8, for the record: on five_by_ten R's FEXACT gives 4.5e-5 while R's own
# simulation, and CohortLab's, give 0.020). CohortLab simulates with
# B = 10,000 (seed 1), so tests/reference_fisher_simulated.rs compares
# within Monte Carlo error.
# Run: Rscript fisher_simulated.R  (writes fisher_simulated.json)
tables <- list(
  five_by_ten = matrix((outer(1:5, 1:10, function(i, j) (3 * i + 7 * j) %% 5)), 5, 10),
  two_by_28 = rbind((1:28 * 5) %% 3, ((1:28 * 7) %% 4) + 1),
  sparse_6_by_9 = matrix((outer(1:6, 1:9, function(i, j) (i * j + i + 2 * j) %% 3)), 6, 9)
)
out <- lapply(names(tables), function(name) {
  x <- tables[[name]]
  exact <- tryCatch(fisher.test(x, workspace = 2e8)$p.value, error = function(e) NA)
  set.seed(1)
  p <- fisher.test(x, simulate.p.value = TRUE, B = 1e6)$p.value
  list(name = name, counts = unname(lapply(seq_len(nrow(x)), function(i) x[i, ])),
       p = p, exact = exact)
})
json <- paste0("[\n", paste(sapply(out, function(o) {
  rows <- paste(sapply(o$counts, function(r) paste0("[", paste(r, collapse = ","), "]")), collapse = ",")
  sprintf('  {"name": "%s", "counts": [%s], "p": %.10g, "p_exact_fexact": %.10g}', o$name, rows, o$p, o$exact)
}), collapse = ",\n"), "\n]\n")
writeLines(json, "fisher_simulated.json", sep = "")
