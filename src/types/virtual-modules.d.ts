// Modules that scripts/build.mjs provides when it bundles (see its plugins): the shipped systemd
// units as text, and the cluster schema compiled into a standalone validator.
declare module 'pi-textfile:units' {
  /** File name (pi-textfile.service, ...) -> the unit file in systemd/, as shipped. */
  const units: Record<string, string>;
  export default units;
}

declare module 'pi-textfile:validate-cluster' {
  import type { ErrorObject } from 'ajv';
  interface Validate {
    (data: unknown): boolean;
    errors?: ErrorObject[] | null;
  }
  const validate: Validate;
  export default validate;
}
