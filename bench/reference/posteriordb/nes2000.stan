// posteriordb nes (fixtures/posteriordb/nes2000-nes.json); flat priors; likelihood by sufficient
// statistics, as the bayesbench log density computes it
data { int<lower=0> N; vector[N] partyid7; vector[N] real_ideo; vector[N] race_adj; int age_discrete[N];
  vector[N] educ1; vector[N] gender; vector[N] income; }
transformed data {
  matrix[9, 9] ZZ; vector[9] Zy; real yy = dot_self(partyid7);
  {
    matrix[N, 9] Z;
    for (i in 1:N) Z[i] = [1, real_ideo[i], race_adj[i], age_discrete[i] == 2, age_discrete[i] == 3,
      age_discrete[i] == 4, educ1[i], gender[i], income[i]];
    ZZ = crossprod(Z); Zy = Z' * partyid7;
  }
}
parameters { vector[9] beta; real<lower=0> sigma; }
model {
  target += -N * log(sigma) - 0.5 * (yy - 2 * dot_product(beta, Zy) + quad_form(ZZ, beta)) / square(sigma);
}
