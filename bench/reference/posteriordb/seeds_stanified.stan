// seeds (fixtures/posteriordb/seeds_data-seeds_stanified_model.json), written non-centred as the
// bayesbench log density is (same posterior over alpha, b, sigma)
data { int<lower=0> I; int<lower=0> n[I]; int<lower=0> N[I]; vector[I] x1; vector[I] x2; }
parameters { real alpha0; real alpha1; real alpha12; real alpha2; real<lower=0> sigma; vector[I] z; }
transformed parameters { vector[I] b = sigma * z; }
model {
  alpha0 ~ normal(0, 1); alpha1 ~ normal(0, 1); alpha2 ~ normal(0, 1); alpha12 ~ normal(0, 1);
  sigma ~ cauchy(0, 1);
  z ~ normal(0, 1);
  n ~ binomial_logit(N, alpha0 + alpha1 * x1 + alpha2 * x2 + alpha12 * (x1 .* x2) + b);
}
