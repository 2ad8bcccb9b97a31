/**
 * A model that counts its gradient evaluations (the benches report ESS per gradient).
 * @example const c = counted(model); sample(c.model, config); c.count()
 */
import type { ReportingModel } from '../src/sampler/types.js';

export function counted(model: ReportingModel): { model: ReportingModel; count: () => number } {
  let n = 0;
  return {
    model: {
      dim: model.dim,
      variableNames: model.variableNames,
      writeVariables: (t, o) => model.writeVariables(t, o),
      logDensityGradient(t, g) {
        n++;
        return model.logDensityGradient(t, g);
      },
    },
    count: () => n,
  };
}
