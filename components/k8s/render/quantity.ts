export { bytes, formatCpu, formatMemory, isQuantity, milliCpu } from "../../../config/quantity";
