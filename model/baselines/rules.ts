/**
 * The rule-based expert system (if-else), the bank's usual baseline: fixed
 * rules over the profile and recent life events. It scores every offer in
 * [0, 1]; it never looks at what the offer changes, only at fit.
 *
 * @module
 */

import { FEATURE_NAMES } from "../features.ts";

const index = (name: string) => {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`Unknown feature ${name}`);
  return i;
};
const F = {
  age: index("age"),
  logRenta: index("log_renta"),
  segmentTop: index("segment_01"),
  segmentStudent: index("segment_03"),
  car: index("life_car_purchase_recent"),
  child: index("life_child_recent"),
  relocation: index("life_relocation_recent"),
  mortgage: index("life_mortgage_recent"),
  salaryRise: index("life_salary_rise_recent"),
  salary: index("salary_decayed_log"),
  productsHeld: index("products_held"),
} as const;

/** Scores of one offer for one client: higher means the rules like it more. */
export function ruleScore(features: ArrayLike<number>, offer: string): number {
  const has = (slot: number) => features[slot] === 1;
  const age = features[F.age];
  const rich = features[F.logRenta] > Math.log(150_000) || has(F.segmentTop);
  switch (offer) {
    case "ins_auto":
      return has(F.car) ? 0.95 : 0.1;
    case "partner_auto_accessories":
      return has(F.car) ? 0.6 : 0.05;
    case "ins_property":
      return has(F.relocation) || has(F.mortgage) ? 0.8 : 0.1;
    case "partner_kids_goods":
      return has(F.child) ? 0.8 : 0.05;
    case "ind_hip_fin_ult1":
      return has(F.relocation) ? 0.7 : age >= 28 && age <= 45 ? 0.3 : 0.05;
    case "ind_tjcr_fin_ult1":
      return has(F.segmentStudent) ? 0.6 : features[F.salary] > 10 ? 0.5 : 0.3;
    case "ind_pres_fin_ult1":
      return has(F.car) || has(F.relocation) ? 0.6 : 0.2;
    case "ind_ecue_fin_ult1":
      return age < 35 ? 0.6 : 0.2;
    case "ind_deco_fin_ult1":
      return has(F.salaryRise) ? 0.6 : rich ? 0.4 : 0.15;
    case "ind_fond_fin_ult1":
    case "ind_valo_fin_ult1":
      return rich ? 0.7 : 0.1;
    case "ind_plan_fin_ult1":
      return age >= 45 ? 0.6 : 0.15;
    default:
      return features[F.productsHeld] > 3 ? 0.2 : 0.1;
  }
}
