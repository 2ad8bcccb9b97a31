// posteriordb blr (fixtures/posteriordb/sblrc-blr.json); likelihood by sufficient statistics, as the
// bayesbench log density computes it
data { int<lower=0> N; int<lower=0> D; matrix[N, D] X; vector[N] y; }
transformed data { matrix[D, D] ZZ = crossprod(X); vector[D] Zy = X' * y; real yy = dot_self(y); }
parameters { vector[D] beta; real<lower=0> sigma; }
model {
  target += normal_lpdf(beta | 0, 10);
  target += normal_lpdf(sigma | 0, 10);
  target += -N * log(sigma) - 0.5 * (yy - 2 * dot_product(beta, Zy) + quad_form(ZZ, beta)) / square(sigma);
}
