import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Route {
  method: string;
  path: string;
}

/** Parses `printRoutes({ commonPrefix: false })`: a tree whose lines add a segment to their parent. */
export function routesFromTable(table: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of table.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean))
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push({ method, path });
  }
  return routes;
}

/** Every route the running app serves, read from Fastify's own route table. */
export function appRoutes(app: NestFastifyApplication): Route[] {
  return routesFromTable(app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false }));
}
