import { ApplicationFailure } from '@temporalio/activity';
import { createActivities, declaredFailuresOnly } from '.';

describe('declared failures only', () => {
  it('passes a declared failure on as it is', async () => {
    const step = declaredFailuresOnly('configurePhones', async () => {
      throw ApplicationFailure.nonRetryable('whatsapp is not installed', 'app_not_installed');
    });
    await expect(step()).rejects.toMatchObject({ type: 'app_not_installed', message: 'whatsapp is not installed', nonRetryable: true });
  });

  it('turns a failure the step does not declare into undeclared_failure naming it', async () => {
    const step = declaredFailuresOnly('geolocate', async () => {
      throw ApplicationFailure.retryable('tcpdump died', 'capture_failed');
    });
    await expect(step()).rejects.toMatchObject({
      type: 'undeclared_failure',
      nonRetryable: true,
      message: 'geolocate reported capture_failed, which its declaration (lib/measurement/steps.ts) does not list: tcpdump died',
    });
  });

  it('leaves other errors (activity_error in the workflow) and results alone', async () => {
    await expect(declaredFailuresOnly('geolocate', async () => { throw new TypeError('x is undefined'); })()).rejects.toBeInstanceOf(TypeError);
    await expect(declaredFailuresOnly('geolocate', async (n: number) => n + 1)(1)).resolves.toBe(2);
  });
});

describe('createActivities', () => {
  it('refuses to build activities with steps nobody implements, naming them', () => {
    expect(() => createActivities({ loadPlan: () => { throw new Error('unused'); }, baseDir: '/', saveRecord: () => 'unused', steps: { teardown: async () => undefined } })).toThrow(
      /^createActivities: no implementation of step provisionTunnels, configurePhones, startCapture, sendMessage, stopCapture, fetchCapture, classifyFlows, traceroutes, geolocate, abortCapture, checkTestbed: pass deps.measurement/,
    );
  });
});
