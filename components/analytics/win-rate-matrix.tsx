// Head-to-head win rates as a heat-map table: the row model's share of wins (ties half) against the column
// model. Blue above 50%, red below; the number and the game count are always printed, colour only adds.
import { percent } from "@/components/analytics/format";
import type { WinRateFigures } from "@/server/schemas/analytics";

function shade(rate: number): string {
  const strength = Math.min(1, Math.abs(rate - 0.5) * 2);
  const hue = rate >= 0.5 ? 220 : 0;
  return `hsl(${hue} 80% ${97 - strength * 35}%)`;
}

export function WinRateMatrix({ winRates }: { winRates: WinRateFigures }) {
  const { models, cells } = winRates;
  if (models.length < 2) return <p className="text-sm text-slate-500">Win rates need comparisons between at least two models.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="border-collapse text-xs">
        <caption className="sr-only">Win rate of the row model against the column model (ties count half)</caption>
        <thead>
          <tr>
            <th scope="col" className="p-2 text-left font-medium text-slate-500">
              row beats column
            </th>
            {models.map((m) => (
              <th key={m} scope="col" className="max-w-24 truncate p-2 text-center font-medium text-slate-600" title={m}>
                {m}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {models.map((row, i) => (
            <tr key={row}>
              <th scope="row" className="max-w-40 truncate p-2 text-left font-medium text-slate-700" title={row}>
                {row}
              </th>
              {models.map((column, j) => {
                const cell = cells[i][j];
                if (i === j) return <td key={column} className="border border-white bg-slate-100 p-2" aria-label="same model" />;
                const text = cell.winRate === null ? "–" : percent(cell.winRate);
                const title = `${row} vs ${column}: ${text} over ${cell.games} comparisons (${cell.wins} won, ${cell.ties} tied, ${cell.losses} lost)`;
                return (
                  <td
                    key={column}
                    title={title}
                    className="min-w-16 border border-white p-2 text-center tabular-nums"
                    style={cell.winRate === null ? undefined : { backgroundColor: shade(cell.winRate) }}
                  >
                    <span className="block font-medium text-slate-900">{text}</span>
                    <span className="block text-[10px] text-slate-500">n={cell.games}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
