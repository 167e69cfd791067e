import { createRoute, z } from '@hono/zod-openapi'
import { INDICATORS } from '@trading-alerts/trading-alerts'
import type { ApiApp, RouteDeps } from '../context.js'
import { authProblems, json } from '../schemas.js'

const CatalogueEntrySchema = z
  .object({
    name: z.string().openapi({ description: 'As a rule and `name=` write it', example: 'bbands' }),
    title: z.string().openapi({ description: 'TA-Lib’s name of it', example: 'BBANDS' }),
    family: z.string().openapi({ example: 'overlap' }),
    params: z.array(
      z.object({
        name: z.string().openapi({ example: 'period' }),
        default: z.number().openapi({ example: 5 }),
        min: z.number().optional().openapi({ example: 2 }),
        max: z.number().optional().openapi({ example: 100000 }),
      }),
    ),
    outputs: z.array(z.string()).openapi({
      description: 'The named outputs (`bbands(5,2,2).upper`); empty for a single value',
      example: ['upper', 'middle', 'lower'],
    }),
    overlay: z.boolean().openapi({
      description: 'Its values are prices: drawn over the candles rather than in a pane of its own',
    }),
  })
  .openapi('IndicatorCatalogueEntry')

const catalogue = createRoute({
  method: 'get',
  path: '/api/v1/indicator-catalogue',
  tags: ['market'],
  summary: 'The indicators of the rule language (and of `GET /api/v1/indicators`), by name',
  description:
    'From the rule language’s registry, itself built from technical-indicators’ catalogue: the ' +
    'numeric parameters in the order a rule gives them, with their defaults and ranges.',
  responses: {
    200: json(z.object({ data: z.array(CatalogueEntrySchema) }), 'Every indicator, by name'),
    ...authProblems(),
  },
})

/** The catalogue's answer, built once: the registry does not change while the process runs. */
const DATA = [...INDICATORS.values()]
  .sort((a, b) => a.name.localeCompare(b.name))
  .map((d) => ({
    name: d.name,
    title: d.title,
    family: d.family,
    params: d.params.map((p) => ({ name: p.name, default: p.default, min: p.min, max: p.max })),
    outputs: [...d.outputs],
    overlay: d.overlay,
  }))

export function indicatorCatalogueRoutes(app: ApiApp, _deps: RouteDeps): void {
  app.openapi(catalogue, (c) => c.json({ data: DATA }, 200))
}
