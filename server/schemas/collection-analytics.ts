// What the analytics of rating and demonstration projects return (server/services/analytics/collection.ts); the
// analytics page renders it (components/analytics/collection-view.tsx).
import type { Scale } from "@/server/schemas/judgement";

export interface DemonstrationFigures {
  kind: "demonstrations";
  count: number;
  improved: number;
  medianChars: number | null;
  meanChars: number | null;
  medianSeconds: number | null;
  /** labels like "100–249" and their counts, in order */
  lengths: { bucket: string; count: number }[];
  annotators: { userId: string; name: string; count: number; medianChars: number; medianSeconds: number }[];
}

export interface RatingFigures {
  kind: "ratings";
  count: number;
  thumbs: { up: number; down: number; alpha: number | null } | null;
  criteria: {
    key: string;
    label: string;
    scale: Scale;
    alpha: number | null;
    mean: number | null;
    distribution: { value: number; label: string; count: number }[];
  }[];
  annotators: { userId: string; name: string; count: number; thumbsUp: number | null; means: Record<string, { mean: number; sd: number } | null> }[];
  models: { model: string; count: number; thumbsUp: number | null; means: Record<string, number | null> }[];
}

export type CollectionFigures = DemonstrationFigures | RatingFigures;
