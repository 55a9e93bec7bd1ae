/**
 * The commands that set up and check a machine: install, uninstall, doctor, and the shared rule
 * for node_exporter's textfile directory (collect asks it when run without --textfile.directory).
 * One part, loaded only when one of them runs, so collect's start-up never pays for them.
 */
export { defaultDeployDeps, type DeployDeps } from '../deploy/actions';
export { runInstall, type InstallOptions } from './install';
export { runUninstall } from './uninstall';
export { defaultDoctorDeps, runDoctor, type DoctorDeps, type DoctorOptions } from './doctor';
export { findTextfileDirectory } from '../node-exporter/directory';
