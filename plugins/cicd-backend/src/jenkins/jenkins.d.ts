// The parts of the `jenkins` npm client (no published types) opsdeck uses.
declare module 'jenkins' {
  interface JenkinsOptions {
    baseUrl: string;
    headers?: Record<string, string>;
    crumbIssuer?: boolean;
    promisify?: boolean;
    timeout?: number;
  }
  class Jenkins {
    constructor(opts: JenkinsOptions);
    job: {
      get(opts: { name: string; tree?: string; depth?: number }): Promise<any>;
      build(opts: {
        name: string;
        parameters?: Record<string, string>;
      }): Promise<number>;
    };
    build: {
      get(opts: { name: string; number: number; tree?: string }): Promise<any>;
    };
    crumbIssuer: { get(): Promise<any> };
  }
  export = Jenkins;
}
