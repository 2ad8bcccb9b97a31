import { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { report } from '../report-view.js';
import { parseId } from '../requests.js';
import { fitRow } from './view-helpers.js';

/**
 * The variable explorer of a finished fit: rank plot, trace, density, autocorrelation.
 * @example router.use(variableRoutes(ctx));
 */
export function variableRoutes(ctx: AppContext): Router {
  const { store } = ctx;
  const router = Router();

  router.get('/fits/:id/variables', async (req, res) => {
    const fit = store.getFit(parseId(req.params.id, 'fit'));
    if (fit.status !== 'done') throw new NotFoundError(`fit ${fit.id} has no draws yet`);
    const names = store.drawVariables(fit.id);
    if (names.length === 0) throw new NotFoundError(`fit ${fit.id} has no stored draws`);
    const R = await report();
    const top = R.topLevelVariables(names);
    const name =
      typeof req.query.name === 'string' && req.query.name ? req.query.name : (top[0] ?? names[0]);
    const one = store.getVariable(fit.id, name);
    if (!one) throw new NotFoundError(`fit ${fit.id} has no variable "${name}"`);
    const draws = {
      nDraws: one.nDraws,
      nChains: one.nChains,
      variables: [name],
      values: one.values,
    };
    const plots = R.variableExplorer(draws, 0);
    const row = fit.summary?.variables.find((v) => v.variable === name);
    const summary =
      fit.summary && row ? R.summaryViewModel({ ...fit.summary, variables: [row] }, {}) : null;
    res.render('variable', {
      title: `${name}: fit ${fit.id}`,
      fit: fitRow(fit),
      name,
      // A model can have thousands of variables: the list shows the top-level ones and the first
      // 300 (a cap, with selection by name); any other is reached by typing its name.
      names: [...new Set([...top, ...names.slice(0, 300), name])],
      total: names.length,
      plots,
      summary,
    });
  });

  return router;
}
