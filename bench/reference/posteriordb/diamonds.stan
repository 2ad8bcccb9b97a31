// posteriordb diamonds (brms; fixtures/posteriordb/diamonds-diamonds.json); the likelihood by
// sufficient statistics of the centred design, as the bayesbench log density computes it
data { int<lower=1> N; vector[N] Y; int<lower=1> K; matrix[N, K] X; int prior_only; }
transformed data {
  int Kc = K - 1; matrix[K, K] ZZ; vector[K] Zy; real yy = dot_self(Y);
  {
    matrix[N, K] Z;
    Z[, 1] = rep_vector(1, N);
    for (i in 2:K) Z[, i] = X[, i] - mean(X[, i]);
    ZZ = crossprod(Z); Zy = Z' * Y;
  }
}
parameters { vector[Kc] b; real Intercept; real<lower=0> sigma; }
model {
  vector[K] w = append_row(Intercept, b);
  target += normal_lpdf(b | 0, 1);
  target += student_t_lpdf(Intercept | 3, 8, 10);
  target += student_t_lpdf(sigma | 3, 0, 10);
  target += -N * log(sigma) - 0.5 * (yy - 2 * dot_product(w, Zy) + quad_form(ZZ, w)) / square(sigma);
}
