#!/usr/bin/env Rscript
# usage: rstan_posteriordb.R model.stan fixture.json [chains] [warmup] [draws] [seed] [adapt_delta]
# One posteriordb fixture through rstan: the Stan program in bench/reference/posteriordb/ (the same
# density as bayesbench's log density in test/sampler/helpers/posteriordb.ts), the fixture's data,
# `chains` chains run one after another (cores = 1, so each chain's clock is its own). Prints one
# JSON line: compile seconds (env BAYESBENCH_RSTAN_FRESH=1 removes the cached model first, so it is
# a real C++ compile), per-chain warmup and sampling seconds (get_elapsed_time), min ESS_bulk and
# ESS_tail over the fixture's reference parameters, divergences, leapfrog steps (with warmup), and
# the means and MCSEs of the reference parameters. R is a benchmark tool only.
suppressPackageStartupMessages({library(rstan); library(posterior); library(jsonlite)})
a <- commandArgs(trailingOnly = TRUE)
stan <- a[1]; fx <- fromJSON(a[2], simplifyVector = TRUE)
chains <- as.integer(ifelse(length(a) > 2, a[3], 4)); w <- as.integer(ifelse(length(a) > 3, a[4], 1000))
s <- as.integer(ifelse(length(a) > 4, a[5], 1000)); seed <- as.integer(ifelse(length(a) > 5, a[6], 1))
delta <- as.numeric(ifelse(length(a) > 6, a[7], 0.8))
cache <- file.path(Sys.getenv("HOME"), ".cache", "bayesbench-rstan"); dir.create(cache, recursive = TRUE, showWarnings = FALSE)
rds <- file.path(cache, sub("\\.stan$", ".rds", basename(stan)))
fresh <- Sys.getenv("BAYESBENCH_RSTAN_FRESH") == "1" || !file.exists(rds)
if (fresh && file.exists(rds)) file.remove(rds)
t0 <- Sys.time()
m <- if (file.exists(rds)) readRDS(rds) else { mm <- stan_model(stan); saveRDS(mm, rds); mm }
compile_s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
t1 <- Sys.time()
f <- sampling(m, data = fx$data, chains = chains, iter = w + s, warmup = w, seed = seed, cores = 1,
  refresh = 0, control = list(adapt_delta = delta))
sample_s <- as.numeric(difftime(Sys.time(), t1, units = "secs"))
dr <- as_draws_array(f)
names <- fx$reference$parameter_names
dr <- subset_draws(dr, variable = names)
ds <- as.data.frame(summarise_draws(dr, "mean", "mcse_mean", "ess_bulk", "ess_tail", "rhat"))
sp <- get_sampler_params(f, inc_warmup = FALSE)
div <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
spw <- get_sampler_params(f, inc_warmup = TRUE)
leap_all <- sum(sapply(spw, function(x) sum(x[, "n_leapfrog__"])))
et <- get_elapsed_time(f)
num <- function(x) ifelse(is.finite(x), sprintf("%.10g", x), "null")
rows <- sprintf('{"variable":"%s","mean":%s,"mcse_mean":%s,"ess_bulk":%s}', ds$variable, num(ds$mean), num(ds$mcse_mean), num(ds$ess_bulk))
cat(sprintf('{"compile_s":%.2f,"compiled_fresh":%s,"sample_s":%.2f,"chain_warmup_s":[%s],"chain_sample_s":[%s],"min_ess_bulk":%.1f,"min_ess_tail":%.1f,"max_rhat":%.4f,"divergent":%d,"n_leapfrog_with_warmup":%d,"rstan_version":"%s","variables":[%s]}\n',
  compile_s, ifelse(fresh, "true", "false"), sample_s, paste(sprintf("%.3f", et[, "warmup"]), collapse = ","),
  paste(sprintf("%.3f", et[, "sample"]), collapse = ","), min(ds$ess_bulk), min(ds$ess_tail), max(ds$rhat), div, leap_all,
  as.character(packageVersion("rstan")), paste(rows, collapse = ",")))
