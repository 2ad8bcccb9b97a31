// posteriordb arK (fixtures/posteriordb/arK-arK.json); the likelihood by sufficient statistics, as
// the bayesbench log density computes it (same density as the row-by-row sum)
data { int<lower=0> K; int<lower=0> T; real y[T]; }
transformed data {
  int n = T - K; matrix[K + 1, K + 1] ZZ; vector[K + 1] Zy; real yy;
  {
    matrix[T - K, K + 1] Z; vector[T - K] yt;
    for (t in (K + 1):T) { Z[t - K, 1] = 1; for (k in 1:K) Z[t - K, k + 1] = y[t - k]; yt[t - K] = y[t]; }
    ZZ = crossprod(Z); Zy = Z' * yt; yy = dot_self(yt);
  }
}
parameters { real alpha; vector[K] beta; real<lower=0> sigma; }
model {
  vector[K + 1] w = append_row(alpha, beta);
  alpha ~ normal(0, 10); beta ~ normal(0, 10); sigma ~ cauchy(0, 2.5);
  target += -n * log(sigma) - 0.5 * (yy - 2 * dot_product(w, Zy) + quad_form(ZZ, w)) / square(sigma);
}
