/** Where the floor's publisher connects (floor-node.ts); its clients use the live protocol's path. */
export const FLOOR_PUBLISH_PATH = '/publish'
