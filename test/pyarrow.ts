/** For the readers' tests: the project-local venv's python with pyarrow (see moto-setup.ts), or why it is missing. */
import { inject } from 'vitest';

export const pyarrowPython = inject('pyarrow');
export const pyarrowAvailable = !pyarrowPython.startsWith('unavailable');
/** CI (CBBD_REQUIRE_MOTO=1, set by .ci/run) needs the venv's tools: a missing pyarrow fails there instead of skipping. */
export const pyarrowRequired = process.env.CBBD_REQUIRE_MOTO === '1';
