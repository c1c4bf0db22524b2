export const complianceScreens = [];
