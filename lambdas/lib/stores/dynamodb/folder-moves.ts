/** Move claims of the worksets adapter: one archive or restore at a time, without changing the version. */
import type { FolderMoves } from '../../ports/worksets.ts';
import { Expression } from './expression.ts';
import { conditionalUpdate, updateUnlessChanged, type DynamoContext } from './records.ts';

export function dynamoFolderMoves(ctx: DynamoContext): FolderMoves {
  return {
    claimMove(input) {
      const e = new Expression();
      const claim = e.name('move_claim');
      return conditionalUpdate(ctx, input.worksetId, e, {
        UpdateExpression: `SET ${claim} = ${e.value(input.claim)}`,
        ConditionExpression:
          `${e.atVersion(input.version)} AND ` +
          `(attribute_not_exists(${claim}) OR ${e.path('move_claim', 'expires_at')} <= ${e.value(input.now)})`,
      });
    },

    releaseMove(input) {
      const e = new Expression();
      return updateUnlessChanged(ctx, input.worksetId, e, {
        UpdateExpression: `REMOVE ${e.name('move_claim')}`,
        ConditionExpression: `${e.path('move_claim', 'token')} = ${e.value(input.token)}`,
      });
    },
  };
}
