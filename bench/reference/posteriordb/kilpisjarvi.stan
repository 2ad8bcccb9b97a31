// posteriordb kilpisjarvi (fixtures/posteriordb/kilpisjarvi_mod-kilpisjarvi.json); likelihood by
// sufficient statistics, as the bayesbench log density computes it
data { int<lower=0> N; vector[N] x; vector[N] y; real pmualpha; real psalpha; real pmubeta; real psbeta; }
transformed data {
  matrix[N, 2] Z = append_col(rep_vector(1, N), x);
  matrix[2, 2] ZZ = crossprod(Z); vector[2] Zy = Z' * y; real yy = dot_self(y);
}
parameters { real alpha; real beta; real<lower=0> sigma; }
model {
  vector[2] w = [alpha, beta]';
  alpha ~ normal(pmualpha, psalpha);
  beta ~ normal(pmubeta, psbeta);
  target += -N * log(sigma) - 0.5 * (yy - 2 * dot_product(w, Zy) + quad_form(ZZ, w)) / square(sigma);
}
