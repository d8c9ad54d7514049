/**
 * Node's http module, taken without `import ... from 'node:http'`: an ES import makes Node build
 * the module's ES facade, which reads every export, and http's lazy WebSocket getters then load
 * all of undici: 30 ms of CPU at every start of the CLI, for nothing Quire uses. The module
 * object itself has no such cost. (Types still come from a type-only import, which costs nothing.)
 */
export const http = process.getBuiltinModule('node:http');
