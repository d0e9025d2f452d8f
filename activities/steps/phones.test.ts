import { bothSettled } from './phones';

describe('bothSettled', () => {
  it('waits for the slow side before failing with the fast side A failure', async () => {
    let sideBFinished = false;
    const sideA = Promise.reject(new Error('side A: app missing'));
    const sideB = new Promise<string>((resolve) => setImmediate(() => {
      sideBFinished = true;
      resolve('B configured');
    }));
    await expect(bothSettled([sideA, sideB])).rejects.toThrow('side A: app missing');
    expect(sideBFinished).toBe(true);
  });

  it('fails with side A before side B when both fail, whichever failed first', async () => {
    const sideA = new Promise<string>((_, reject) => setImmediate(() => reject(new Error('side A failed last'))));
    const sideB = Promise.reject(new Error('side B failed first'));
    await expect(bothSettled([sideA, sideB])).rejects.toThrow('side A failed last');
  });

  it('returns the values in side order when both succeed', async () => {
    await expect(bothSettled([Promise.resolve('A'), Promise.resolve('B')])).resolves.toEqual(['A', 'B']);
  });
});
