/**
 * The commands that set up and check a machine: install, uninstall, doctor. One module, loaded
 * only when one of them runs (see cli.ts), so collect never pays for them.
 */
export { defaultDeployDeps, runInstall, runUninstall, type DeployDeps, type InstallOptions } from './install';
export { defaultDoctorDeps, runDoctor, type DoctorDeps, type DoctorOptions } from './doctor';
