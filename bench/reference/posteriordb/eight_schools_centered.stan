// posteriordb eight_schools_centered (fixtures/posteriordb/eight_schools-eight_schools_centered.json)
data { int<lower=0> J; real y[J]; real<lower=0> sigma[J]; }
parameters { vector[J] theta; real mu; real<lower=0> tau; }
model {
  mu ~ normal(0, 5);
  tau ~ cauchy(0, 5);
  theta ~ normal(mu, tau);
  y ~ normal(theta, sigma);
}
