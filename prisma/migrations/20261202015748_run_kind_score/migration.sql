-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'SCORE';
