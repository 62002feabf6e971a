/** The match engine's public surface (pure; no I/O). */
export * from './types.js';
export { OrderBook, type NewOrder, type DepthLevel } from './book.js';
export { allocateResidual, calcFillQty, dropRedundantQty, leaves, sumNxt } from './allocate.js';
export {
  PRICE_LIMIT_PCT,
  getPriceCloseToRef,
  getTradePrice,
  leastSurplusCandidates,
  maxExecCandidates,
  mergeLevels,
  newOverlappedLevel,
  prepareMatch,
  priceBand,
  type PriceChoice,
} from './price.js';
export {
  MatchEngine,
  determineTakerSide,
  dropRedundantAtLevel,
  fillOrdersNew,
  findTakerStartIdx,
  match,
  mergeTakerSideOrders,
  type FillContext,
  type MatchInput,
  type TakerSideOrders,
} from './engine.js';
export { calcLotSize, calcTickSize, goLog10, notional } from './tickLot.js';
