export const operatorScreens = [];
