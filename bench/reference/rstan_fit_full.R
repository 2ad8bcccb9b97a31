#!/usr/bin/env Rscript
# usage: rstan_fit_full.R data.csv [chains] [iter_warmup] [iter_sampling] [seed]
# Same fit as rstan_fit.R (copied verbatim from the shared bench folder, see SOURCE.md): same data
# list, same heuristic_task.stan, same sampling() call. Differences, all after sampling:
#  - prints one JSON document with the original fields plus `variables`: mean, sd, mcse_mean,
#    ess_bulk, ess_tail, rhat for every reported quantity under its brms name (b_Intercept = alpha,
#    sd_heuristic__Intercept = s_h, r_heuristic[h0,Intercept] = s_h * z_h[1], ...), so bayesbench's
#    posterior means can be checked against 4 * sqrt(mcse^2 + mcse_ref^2);
#  - env BAYESBENCH_RSTAN_FRESH=1 deletes the cached compiled model first, so compile_s is a real
#    C++ compile (otherwise it is the time to load the cached model).
# R is a benchmark tool only: no test or CI step needs it.
suppressPackageStartupMessages({library(rstan); library(posterior)})
a <- commandArgs(trailingOnly = TRUE)
csv <- a[1]; chains <- as.integer(ifelse(length(a) > 1, a[2], 4)); w <- as.integer(ifelse(length(a) > 2, a[3], 1000))
s <- as.integer(ifelse(length(a) > 3, a[4], 1000)); seed <- as.integer(ifelse(length(a) > 4, a[5], 1))
d <- read.csv(csv)
hf <- factor(d$heuristic); tf <- factor(d$task)
catOfTask <- as.integer(factor(d$category[match(levels(tf), d$task)]))
catLevels <- levels(factor(d$category[match(levels(tf), d$task)]))
sdata <- list(N = nrow(d), H = nlevels(hf), T = nlevels(tf), C = max(catOfTask), h = as.integer(hf), t = as.integer(tf),
              cat = catOfTask, y = d$score, sy = max(sd(d$score), 0.0001) * 1.0, my = median(d$score))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
cache <- file.path(Sys.getenv("HOME"), ".cache", "bayesbench-rstan"); dir.create(cache, recursive = TRUE, showWarnings = FALSE)
rds <- file.path(cache, "heuristic_task.rds")
fresh <- Sys.getenv("BAYESBENCH_RSTAN_FRESH") == "1"
if (fresh && file.exists(rds)) file.remove(rds)
t0 <- Sys.time()
m <- if (file.exists(rds)) readRDS(rds) else { mm <- stan_model(file.path(here, "heuristic_task.stan")); saveRDS(mm, rds); mm }
compile_s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
t1 <- Sys.time()
f <- sampling(m, data = sdata, chains = chains, iter = w + s, warmup = w, seed = seed, cores = min(chains, 2), refresh = 0)
sample_s <- as.numeric(difftime(Sys.time(), t1, units = "secs"))
dr <- as_draws_array(f)
dr <- subset_draws(dr, variable = setdiff(variables(dr), "lp__"))
sm <- as.data.frame(summarise_draws(dr, "mean", "rhat", "ess_bulk", "ess_tail")); for (k in 2:5) sm[[k]] <- as.numeric(sm[[k]])
sp <- get_sampler_params(f, inc_warmup = FALSE)
div <- sum(sapply(sp, function(x) sum(x[, "divergent__"])))
leap <- sum(sapply(sp, function(x) sum(x[, "n_leapfrog__"])))
# Leapfrog steps in warmup too (gradient evaluations of the whole sampling call).
spw <- get_sampler_params(f, inc_warmup = TRUE)
leap_all <- sum(sapply(spw, function(x) sum(x[, "n_leapfrog__"])))
# Per-chain warmup / sampling seconds as Stan measures them inside each chain (CPU-side, no overhead).
et <- get_elapsed_time(f)

# Derived quantities under brms names (brms reports r_ = sd * z for non-centred effects).
arr <- unclass(dr) # iterations x chains x variables
v <- function(name) arr[, , name, drop = TRUE]
out <- list()
out[["b_Intercept"]] <- v("alpha"); out[["sigma"]] <- v("sigma")
out[["sd_heuristic__Intercept"]] <- v("s_h"); out[["sd_task__Intercept"]] <- v("s_t")
out[["sd_heuristic:category__Intercept"]] <- v("s_hc"); out[["sd_heuristic:task__Intercept"]] <- v("s_ht")
H <- nlevels(hf); T <- nlevels(tf); C <- max(catOfTask)
for (i in 1:H) out[[sprintf("r_heuristic[%s,Intercept]", levels(hf)[i])]] <- v("s_h") * v(sprintf("z_h[%d]", i))
for (j in 1:T) out[[sprintf("r_task[%s,Intercept]", levels(tf)[j])]] <- v("s_t") * v(sprintf("z_t[%d]", j))
for (i in 1:H) for (c in 1:C)
  out[[sprintf("r_heuristic:category[%s_%s,Intercept]", levels(hf)[i], catLevels[c])]] <- v("s_hc") * v(sprintf("z_hc[%d,%d]", i, c))
for (i in 1:H) for (j in 1:T)
  out[[sprintf("r_heuristic:task[%s_%s,Intercept]", levels(hf)[i], levels(tf)[j])]] <- v("s_ht") * v(sprintf("z_ht[%d,%d]", i, j))
nm <- names(out)
a3 <- array(unlist(out), dim = c(dim(arr)[1], dim(arr)[2], length(nm)), dimnames = list(NULL, NULL, nm))
ds <- as.data.frame(summarise_draws(as_draws_array(a3), "mean", "sd", "mcse_mean", "ess_bulk", "ess_tail", "rhat"))
num <- function(x) ifelse(is.finite(x), sprintf("%.10g", x), "null")
rows <- sprintf('{"variable":"%s","mean":%s,"sd":%s,"mcse_mean":%s,"ess_bulk":%s,"ess_tail":%s,"rhat":%s}',
  ds$variable, num(ds$mean), num(ds$sd), num(ds$mcse_mean), num(ds$ess_bulk), num(ds$ess_tail), num(ds$rhat))
cat(sprintf('{"compile_s":%.2f,"sample_s":%.2f,"min_ess_bulk":%.1f,"median_ess_bulk":%.1f,"min_ess_tail":%.1f,"max_rhat":%.4f,"divergent":%d,"n_leapfrog":%d,"n_leapfrog_with_warmup":%d,"n_parameters":%d,"alpha":%.5f,"sigma":%.5f,"s_h":%.5f,"s_hc":%.5f,"compiled_fresh":%s,"rstan_version":"%s","chain_warmup_s":[%s],"chain_sample_s":[%s],"variables":[%s]}\n',
  compile_s, sample_s, min(sm$ess_bulk), median(sm$ess_bulk), min(sm$ess_tail), max(sm$rhat), div, leap, leap_all, nrow(sm),
  sm$mean[sm$variable == "alpha"], sm$mean[sm$variable == "sigma"], sm$mean[sm$variable == "s_h"], sm$mean[sm$variable == "s_hc"],
  ifelse(fresh, "true", "false"), as.character(packageVersion("rstan")),
  paste(sprintf("%.3f", et[, "warmup"]), collapse = ","), paste(sprintf("%.3f", et[, "sample"]), collapse = ","),
  paste(rows, collapse = ",")))
